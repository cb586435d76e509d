"""E-mail readers on real samples (../shared/data/samples) and Arabic messages built here."""
from __future__ import annotations

import base64
import quopri
import zipfile

import pytest

from dalil.ingest.base import pick
from dalil.ingest.eml import EmlReader
from dalil.ingest.mail_common import decode_bytes, decode_header
from dalil.ingest.maildir import MaildirReader, parse_flags
from dalil.ingest.mbox import MboxReader
from dalil.ingest.msg import MsgReader
from dalil.ingest.pst import PstReader
from dalil.model import IngestError, Source

AR_BODY = "مرحبا بكم في الاجتماع غدا صباحا، يرجى إرسال التقرير قبل الساعة العاشرة."
AR_SUBJECT = "اجتماع الميزانية"


def src(path) -> Source:
    return Source(name=str(path), path=str(path))


def one(reader, source):
    docs = list(reader().read(source))
    assert len(docs) == 1
    return docs[0]


def arabic_eml(body: bytes, content_headers: bytes) -> bytes:
    subject = base64.b64encode(AR_SUBJECT.encode("cp1256"))
    return (b"From: =?windows-1256?B?" + base64.b64encode("أحمد".encode("cp1256")) + b"?= <ahmad@example.com>\r\n"
            b"To: office@example.com\r\nSubject: =?windows-1256?B?" + subject + b"?=\r\n"
            b"Date: Mon, 13 Apr 2009 11:09:00 +0300\r\nMIME-Version: 1.0\r\n" + content_headers + b"\r\n\r\n" + body)


# ---- eml ---------------------------------------------------------------------------------------

def test_every_eml_sample_reads(samples_dir):
    for path in sorted((samples_dir / "eml").glob("*.eml")):
        s = src(path)
        assert pick(s) is EmlReader, path.name
        doc = one(EmlReader, s)
        assert doc.messages and doc.doc_id.startswith("E") and len(doc.doc_id) == 13


def test_eml_png_attachment(samples_dir):
    doc = one(EmlReader, src(samples_dir / "eml/tika-testEmailWithPNGAtt.eml"))
    m = doc.messages[0]
    assert m.subject == "Test Attachment Email"
    assert m.sender == "Tika Test <XXXX@apache.org>"
    assert m.date == "2016-07-20T17:35:02+01:00"
    assert m.body == "This email has a PNG attachment included in it"
    assert m.attachments == ["testPNG.png"]
    child = doc.children[0]
    assert child.name.endswith(".eml!testPNG.png") and child.content_type == "image/png"
    assert child.data.startswith(b"\x89PNG") and len(child.data) == 17041
    assert child.parent_id == doc.doc_id and child.depth == 1 and child.hint["doc_id"] == doc.doc_id + "-A1"


def test_eml_alternative_prefers_plain_and_keeps_html(samples_dir):
    doc = one(EmlReader, src(samples_dir / "eml/tika-testRFC822_multipart_attachments.eml"))
    m = doc.messages[0]
    assert m.subject == "EML 1" and m.body.startswith("Hi,\n\nThis is test email for EML1")
    assert "<html" in doc.html.lower() and "<" not in m.body
    assert m.attachments == ["Test TxtA.txt", "Test TxtB.txt"]


def test_eml_html_only_is_converted(samples_dir):
    doc = one(EmlReader, src(samples_dir / "eml/mimekit-multipart-related-mhtml.eml"))
    assert doc.messages[0].body == "def" and doc.html
    assert doc.messages[0].attachments == ["part1.png"]


def test_eml_missing_close_boundary_is_partial(samples_dir):
    doc = one(EmlReader, src(samples_dir / "eml/tika-testEML_embedded_xhtml_and_img.eml"))
    assert doc.status == "partial" and doc.reason == "broken_mime: CloseBoundaryNotFoundDefect"
    assert doc.messages[0].body.startswith("This is a test\n\nUsing inline content")
    assert doc.messages[0].attachments == ["testimage.jpeg"]


def test_eml_nested_rfc822_becomes_child(samples_dir):
    doc = one(EmlReader, src(samples_dir / "eml/libratom-attachment_message_rfc822.eml"))
    assert doc.messages[0].attachments == ["ForwardedMessage.eml"]
    child = doc.children[0]
    assert child.content_type == "message/rfc822" and pick(child) is EmlReader
    inner = one(EmlReader, child)
    assert inner.doc_id == doc.doc_id + "-A1" and inner.parent_id == doc.doc_id
    assert inner.children and inner.children[0].name.endswith("!ForwardedMessage.eml!" + inner.messages[0].attachments[0])


def test_eml_charsets(samples_dir):
    korean = one(EmlReader, src(samples_dir / "eml/libratom-ks_c_5601-1987.eml"))
    assert korean.messages[0].body == "스티해" and korean.meta["charsets"] == ["cp949"]
    jp = one(EmlReader, src(samples_dir / "eml/mimekit-japanese.eml"))
    assert jp.messages[0].subject == "日本語メールテスト (testing Japanese emails)"
    assert "正常に" in jp.messages[0].body
    utf8 = one(EmlReader, src(samples_dir / "eml/libratom-utf8_headers.eml"))
    assert utf8.messages[0].subject == "Säying Hello" and utf8.messages[0].to == ["Märy Smith <märy@exämple.net>"]
    odd = one(EmlReader, src(samples_dir / "eml/libratom-attachment_nonascii_filename.eml"))
    assert odd.messages[0].attachments == ["ciële.txt"]


def test_eml_signed_mixed(samples_dir):
    doc = one(EmlReader, src(samples_dir / "eml/libratom-raw_email_with_nested_attachment.eml"))
    assert doc.messages[0].attachments == ["truncated.png", "smime.p7s"]
    assert doc.messages[0].body.startswith("Here is a test of an attachment via email.")


@pytest.mark.parametrize("label, body, headers", [
    ("utf-8", AR_BODY.encode(), b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit"),
    ("windows-1256", AR_BODY.encode("cp1256"), b"Content-Type: text/plain; charset=windows-1256"),
    ("iso-8859-6", AR_BODY.encode("iso-8859-6"), b"Content-Type: text/plain; charset=ISO-8859-6"),
    ("undeclared", AR_BODY.encode("cp1256"), b"Content-Type: text/plain"),
    ("mislabelled latin-1", AR_BODY.encode("cp1256"), b"Content-Type: text/plain; charset=iso-8859-1"),
    ("quoted-printable", quopri.encodestring(AR_BODY.encode("cp1256")),
     b"Content-Type: text/plain; charset=windows-1256\r\nContent-Transfer-Encoding: quoted-printable"),
    ("base64", base64.encodebytes(AR_BODY.encode("iso-8859-6")),
     b"Content-Type: text/plain; charset=iso-8859-6\r\nContent-Transfer-Encoding: base64"),
])
def test_arabic_bodies_and_headers(label, body, headers):
    doc = one(EmlReader, Source(name=f"arabic-{label}.eml", data=arabic_eml(body, headers)))
    m = doc.messages[0]
    assert m.body == AR_BODY, label
    assert m.subject == AR_SUBJECT and m.sender == "أحمد <ahmad@example.com>"
    assert m.date == "2009-04-13T11:09:00+03:00" and m.date_raw == "Mon, 13 Apr 2009 11:09:00 +0300"
    assert AR_BODY in doc.text and doc.status == "ok"


def test_arabic_forward_with_nested_attachment():
    inner = (b"From: sara@example.com\r\nSubject: =?UTF-8?B?" + base64.b64encode("التقرير".encode()) + b"?=\r\n"
             b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n"
             b"Content-Type: text/plain; charset=windows-1256\r\n\r\n" + AR_BODY.encode("cp1256") + b"\r\n--in\r\n"
             b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''%D8%AA%D9%82%D8%B1%D9%8A%D8%B1.pdf\r\n"
             b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"%PDF-1.4 fake") + b"--in--\r\n")
    outer = (b"From: ahmad@example.com\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
             b"Content-Type: multipart/mixed; boundary=out\r\n\r\n--out\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
             b"--out\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--out--\r\n")
    doc = one(EmlReader, Source(name="fwd.eml", data=outer))
    assert doc.messages[0].body == "see below" and doc.children[0].content_type == "message/rfc822"
    nested = one(EmlReader, doc.children[0])
    assert nested.messages[0].subject == "التقرير" and nested.messages[0].body == AR_BODY
    assert nested.messages[0].attachments == ["تقرير.pdf"]
    assert nested.children[0].data == b"%PDF-1.4 fake" and nested.children[0].depth == 2


def test_charset_helpers():
    assert isinstance(decode_bytes(b"\xe1\xed\xd3", None)[0], str)      # too short to detect: still text
    assert decode_bytes(AR_BODY.encode("cp1256"), None) == (AR_BODY, "cp1256")
    assert decode_header("=?windows-1256?B?" + base64.b64encode(AR_SUBJECT.encode("cp1256")).decode() + "?=") == AR_SUBJECT
    assert decode_header("=?ks_c_5601-1987?B?" + base64.b64encode("한국".encode("cp949")).decode() + "?=") == "한국"


def test_eml_bad_input_is_ingest_error():
    with pytest.raises(IngestError) as err:
        list(EmlReader().read(Source(name="empty.eml", data=b"")))
    assert err.value.code == "empty"
    with pytest.raises(IngestError) as err:
        list(EmlReader().read(Source(name="bin.eml", data=b"\x00\x01\x02binary")))
    assert err.value.code == "not_email"


def test_libratom_zip_every_eml(samples_dir):
    statuses = {}
    with zipfile.ZipFile(samples_dir / "zip/libratom-emails.zip") as zf:
        names = [i.filename for i in zf.infolist() if i.filename.endswith(".eml")]
        assert len(names) == 100
        for name in names:
            source = Source(name=f"libratom-emails.zip!{name}", data=zf.read(name))
            try:
                statuses[name] = one(EmlReader, source).status
            except IngestError as exc:
                statuses[name] = exc.code
    assert sum(s == "ok" for s in statuses.values()) >= 89
    assert statuses["emails/error_emails/missing_body.eml"] == "partial"
    assert set(statuses.values()) <= {"ok", "partial", "not_email", "empty"}


# ---- mbox --------------------------------------------------------------------------------------

def test_mbox_counts(samples_dir):
    counts = {p.name: len(list(MboxReader().read(src(p)))) for p in (samples_dir / "mbox").glob("*.mbox")}
    assert counts == {"mimekit-content-length.mbox": 29, "mimekit-simple.mbox": 3, "mimekit-unmunged.mbox": 2,
                      "tika-complex.mbox": 3, "tika-testMBOX_complex.mbox": 1}


def test_mbox_content_length(samples_dir):
    path = samples_dir / "mbox/mimekit-content-length.mbox"
    assert pick(src(path)) is MboxReader
    docs = list(MboxReader().read(src(path)))
    assert docs[0].messages[0].subject == "Re: mailusr1@navstar1 3.0b6gold #1"
    assert docs[5].messages[0].attachments == ["attach3.gif", "liluse.gif", "wollogo2.gif", "BULLDOG.GIF"]
    assert docs[28].messages[0].subject == "RE: problem with relative urls and applets"
    assert docs[28].messages[0].attachments == ["MJOSEPH.VCF"]
    assert docs[3].meta["source_name"] == f"{path}!3" and docs[3].meta["envelope"] == "From - Mon Jun  3 12:50:27 1996"
    assert len({d.doc_id for d in docs}) == 29


def test_mbox_unmunged_from_lines(samples_dir):
    docs = list(MboxReader().read(src(samples_dir / "mbox/mimekit-unmunged.mbox")))
    assert [d.messages[0].subject for d in docs] == ["This is a test message with an unmunged From line",
                                                     "Another test message with an unmunged From line"]
    assert "\nFrom Russia with love\nYear: 1963\n" in docs[1].messages[0].body


def test_mbox_from_bytes_and_not_mbox(samples_dir):
    data = (samples_dir / "mbox/tika-complex.mbox").read_bytes()
    docs = list(MboxReader().read(Source(name="x.zip!complex.mbox", data=data)))
    assert [d.messages[0].sender for d in docs][0] == "Jothi Padmanabhan <jothipn@yahoo-inc.com>"
    assert docs[1].meta["source_name"] == "x.zip!complex.mbox!1"
    with pytest.raises(IngestError) as err:
        list(MboxReader().read(Source(name="bad.mbox", data=b"hello world\n")))
    assert err.value.code == "not_mbox"


# ---- maildir -----------------------------------------------------------------------------------

def test_maildir(samples_dir, tmp_path):
    root = samples_dir / "maildir/assembled-from-libratom"
    s = src(root)
    assert MaildirReader.is_maildir(str(root)) and MaildirReader.score(s) == 60 and pick(s) is MaildirReader
    assert not MaildirReader.is_maildir(str(root / "cur")) and not MaildirReader.is_maildir(str(tmp_path))
    docs = {d.messages[0].subject: d for d in MaildirReader().read(s)}
    assert {k: (d.meta["folder"], d.meta["flags"]) for k, d in docs.items()} == {
        "Testing 123": ("INBOX", ["seen"]),
        "Re: Test reply email": ("INBOX", []),
        None: ("Sent Items", ["replied", "seen"]),
        "まみむめも": ("Sent Items/Archive", ["flagged", "seen"]),
    }
    assert docs["Testing 123"].messages[0].sender == "Mikel Lindsaar <test@lindsaar.net>"
    assert docs["Re: Test reply email"].meta["maildir_subdir"] == "new"
    assert parse_flags("123.host,S=1:2,DRT") == ["draft", "replied", "trashed"] and parse_flags("123.host") == []


# ---- msg ---------------------------------------------------------------------------------------

def test_every_msg_sample(samples_dir):
    subjects = {p.name: one(MsgReader, src(p)).messages[0].subject for p in (samples_dir / "msg").glob("*.msg")}
    assert subjects == {
        "tika-test-outlook2003.msg": "Welcome to Microsoft Office Outlook 2003",
        "tika-testMSG.msg": "MIME registry use cases",
        "tika-testMSG_att_msg.msg": "test email",
        "tika-testMSG_chinese.msg": "Alfresco MSG format testing ( MSG 格式測試 )",
        "tika-testMSG_forwarded.msg": "FW: Testing",
    }


def test_msg_fields(samples_dir):
    doc = one(MsgReader, src(samples_dir / "msg/tika-testMSG.msg"))
    m = doc.messages[0]
    assert pick(src(samples_dir / "msg/tika-testMSG.msg")) is MsgReader
    assert m.sender == "Jukka Zitting <jukka.zitting@gmail.com>" and m.to == ["tika-dev@lucene.apache.org"]
    assert m.date == "2009-01-29T20:16:40+01:00"
    assert m.message_id == "<510143ac0901291116s5f368dfby9d6423ce61acc36a@mail.gmail.com>"
    assert m.body.startswith("Hi,\n\nAs discussed, I've been working on making the type detection code more")
    chinese = one(MsgReader, src(samples_dir / "msg/tika-testMSG_chinese.msg"))
    assert chinese.messages[0].sender == "Tests Chang@FT (張毓倫)" and "中文測試" in chinese.messages[0].body


def test_msg_embedded_msg(samples_dir):
    doc = one(MsgReader, src(samples_dir / "msg/tika-testMSG_att_msg.msg"))
    assert doc.messages[0].attachments == ["Test Attachment.msg", "smbprn.00009008.KdcPjl.pdf"]
    assert doc.children[1].data.startswith(b"%PDF")
    inner = one(MsgReader, doc.children[0])
    assert inner.doc_id == doc.doc_id + "-A1" and inner.messages[0].subject == "Test Attachment"
    assert inner.messages[0].body.strip() == "Blah blah blah"


def test_msg_bad_input():
    for data, code in ((b"not an ole file", "not_msg"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "corrupt_msg")):
        with pytest.raises(IngestError) as err:
            list(MsgReader().read(Source(name="x.msg", data=data)))
        assert err.value.code == code


# ---- pst ---------------------------------------------------------------------------------------

def test_pst_folders_and_headers(samples_dir):
    path = samples_dir / "pst/tika-testPST.pst"
    assert pick(src(path)) is PstReader
    docs = list(PstReader().read(src(path)))
    assert len(docs) == 7 and {d.meta["folder"] for d in docs} == {"Début du fichier de données Outlook"}
    first = docs[0].messages[0]
    assert first.subject == "Re: Feature Generators" and first.sender == "Jörn Kottmann <kottmann@gmail.com>"
    assert first.date == "2014-02-26T08:50:04+01:00" and first.message_id == "<530D9CAC.5080901@gmail.com>"
    fw = docs[6]
    assert fw.messages[0].subject == "FW: First email" and fw.messages[0].to == ["lfcnassif@gmail.com"]
    assert fw.messages[0].body == "Forwarding mail…" and fw.meta["unextracted_attachments"] == ["First email.msg"]


def test_pst_body_types(samples_dir):
    docs = list(PstReader().read(src(samples_dir / "pst/tika-testPST_variousBodyTypes.pst")))
    assert [d.meta["folder"] for d in docs] == ["Top of Outlook data file/Inbox/tmp"] * 4
    assert [d.messages[0].subject for d in docs] == ["original email"] + ["FW: original email"] * 3
    assert docs[0].messages[0].body == "This is the original email (html)" and docs[0].html
    assert all(d.messages[0].body for d in docs) and len({d.doc_id for d in docs}) == 4


def test_pst_corrupt(samples_dir):
    data = (samples_dir / "pst/tika-testPST.pst").read_bytes()
    with pytest.raises(IngestError) as err:
        list(PstReader().read(Source(name="broken.pst", data=data[:5000])))
    assert err.value.code == "corrupt_pst"

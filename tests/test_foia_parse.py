"""FOIA release parser against real corpus documents (values checked by reading the files)."""
from __future__ import annotations

import re
import time

import pytest

from dalil.ingest.foia import FoiaReader
from dalil.ingest.foia_parse import parse_foia
from dalil.model import Source
from dalil.text.cleaning import clean_text

H = "H <hrod17@clintonemail.com >"
SULL = "Sullivan, Jacob J <SullivanJJ@state.gov>"
MILLS = "Mills, Cheryl D <MillsCD@state.gov>"

# doc, release, disposition, exemptions, page statuses (t/b/w), message count, top message fields
EXPECTED = [
    dict(doc="C05758398", release="HRCEmail_JuneWeb", disp="PART", ex=["B6"], pages="t", n=3,
         sender="H <hrod17@clintonemail.com>", to=["'millscd@state.gov'"], date="2009-04-13T11:09:00",
         subject="Re: Note for Secretary re Office of Overseas Buildings"),
    dict(doc="C05760054", release="HRCEmail_JuneWeb", disp="FULL", ex=[], pages="t", n=2,
         sender=H, to=["'abedinh@state.gov'"], date="2009-08-20T13:35:00", subject="Re: Delegation"),
    dict(doc="C05760645", release="HRCEmail_JuneWeb", disp="FULL", ex=[], pages="t", n=6,
         sender=H, to=["'abedinh@state.gov'"], date="2009-10-17T16:35:00", subject="Re: Another call"),
    # marker merged into the stamp line: `Date: 06/30/2015 1N FULL`; empty Subject
    dict(doc="C05758744", release="HRCEmail_JuneWeb", disp="FULL", ex=[], pages="t", n=1,
         sender="H <hrod17@clintonemail.com>", to=["'ValmoroU@state.gov'"], date="2009-06-11T07:45:00",
         subject=None),
    dict(doc="C05762239", release="HRCEmail_JulyWeb", disp="PART", ex=["B5", "B6"], pages="tbb", n=2,
         sender="Cheryl Mills <", to=["H"], date="2009-06-08T22:00:00", subject=None),
    dict(doc="C05766816", release="HRCEmail_JulyWeb", disp="PART", ex=["B6"], pages="t", n=1,
         sender=MILLS, to=[], date="2009-10-25T10:35:00", subject="More When We Speak"),   # `Subject` without colon
    dict(doc="C05763734", release="HRCEmail_JulyWeb", disp="PART", ex=["1.4(D)", "B1"], pages="tw", n=5,
         sender=SULL, to=["H"], date="2009-08-15T16:20:00", subject="Re:"),
    # redacted sender: `From:` empty, B6 in the margin
    dict(doc="C05761895", release="HRCEmail_JulyWeb", disp="PART", ex=["B6"], pages="t", n=1,
         sender=None, to=["H2"], date="2009-05-13T16:46:00", subject="Thank you"),
    dict(doc="C05765938", release="Clinton_Email_August_Release", disp="PART", ex=["B5"], pages="t", n=4,
         sender=SULL, to=["H"], date="2009-12-06T11:00:00", subject="Re: Jake-"),          # `December 6,2009`
    dict(doc="C05765959", release="Clinton_Email_August_Release", disp="PART", ex=["B6"], pages="ttt", n=2,
         sender="Cheryl Mills <", to=[], date="2009-12-06T21:39:00", subject="Fwd: Charles Blow in NYT today"),
    dict(doc="C05773452", release="Clinton_Email_August_Release", disp="PART",
         ex=["1.4(B)", "1.4(D)", "B1", "B6"], pages="tttt", n=4, sender="H <hrod17@clintonemail.com>",
         to=["'millscd@state.gov'"], date="2010-02-08T22:05:00",
         subject="Re: PM Bellerive on Donors' Conference, SOFA, adoptions, migrants, political dilema and more"),
    dict(doc="C05775511", release="Clinton_Email_August_Release", disp="PART",
         ex=["1.4(B)", "1.4(D)", "B1", "B6"], pages="tw", n=4, sender=H, to=["'sullivanjj@state.gov'"],
         date="2010-04-24T19:30:00", subject="Re: Amano"),
    dict(doc="C05768806", release="Clinton_Email_August_Release", disp="PART", ex=["B6"], pages="tt", n=2,
         sender="sbwhoeop", to=[], date="2010-04-27T23:25:00",
         subject="H: Memo. Greek eco crisis; transatlantic consequences. Sid"),
    dict(doc="C05785409", release="HRCEmail_SeptemberWeb", disp="FULL", ex=[], pages="t", n=2,
         sender="Abedin, Huma <AbedinH@state.gov>", to=[], date="2011-05-30T08:17:00",
         subject="Fw: South African president Zuma arrives in Tripoli (Reuters)"),
    dict(doc="C05780101", release="HRCEmail_SeptemberWeb", disp="PART", ex=["B6"], pages="tttttt", n=1,
         sender="Burns Strider <", to=[], date="2011-03-08T10:23:00", subject='Enjoy! Newsweek: The Hillary Doctrine"'),
    dict(doc="C05781228", release="HRCEmail_SeptemberWeb", disp="PART", ex=["1.4(B)", "1.4(D)", "B1"], pages="tw",
         n=3, sender="Sullivan, JacobJ <SullivanJJ@state.gov>", to=[], date="2011-07-08T07:56:00",
         subject="Fw: Quint readout -- use this one"),
    dict(doc="C05761258", release="HRCEmail_OctWeb", disp="PART", ex=["B5", "B6"], pages="t", n=2,
         sender="cheryl.mills", to=["Marty Edelman", "H"], date="2009-04-16T17:43:00", subject="Re:"),
    dict(doc="C05790818", release="HRCEmail_OctWeb", disp="FULL", ex=[], pages="tt", n=3,
         sender=H, to=["'sullivanjj@state.gov'"], date="2011-12-18T15:34:00",
         subject="Fw: Taliban ready to open political office -Afghan negotiator (Reuters)"),
    dict(doc="C05793141", release="HRCEmail_OctWeb", disp="PART", ex=["1.4(D)", "B1", "B5"], pages="twt", n=1,
         sender="Hanley, Monica R <HanleyMR@state.gov>", to=["H"], date="2012-04-03T07:18:00",
         subject="Revised Ashton call sheet"),
    dict(doc="C05774177", release="HRCEmail_NovWeb", disp="PART", ex=["B5", "B6"], pages="t", n=3,
         sender=SULL, to=[], date="2010-09-25T13:05:00", subject="Re: Update"),
    dict(doc="C05795778", release="HRCEmail_NovWeb", disp="FULL", ex=[], pages="t", n=6,
         sender=H, to=["'NidesTR@state.gov'"], date="2012-09-23T09:50:00", subject="Re:"),
    # codes and a classification banner in the right-hand column of the header lines
    dict(doc="C05773931", release="HRCEmail_NovWeb", disp="PART", ex=["1.4(B)", "1.4(D)", "B1", "B5", "B6"],
         pages="twt", n=4, sender="Sullivan, Jacob.' <SullivanJJ@state.gov>", to=[], date="2010-11-13T23:07:00",
         subject="Fw: Molho's Report"),
    dict(doc="C05791770", release="HRCEmail_DecWeb", disp="PART", ex=["B6"], pages="t", n=4,
         sender=SULL, to=[], date="2012-02-28T13:50:00", subject="RE: Positive Development"),
    dict(doc="C05777817", release="HRCEmail_DecWeb", disp="PART", ex=["1.4(D)", "B1", "B5", "B6"], pages="tww",
         n=3, sender=MILLS, to=[], date="2011-01-28T12:03:00", subject="FW: stepping back to look at Egypt"),
    # split marker `RELEASE IN` / `PARTB5, B6`; `Tuesday, August 16, 201110:03 AM`
    dict(doc="C05784256", release="HRCEmail_DecWeb", disp="PART", ex=["B5", "B6"], pages="t", n=2,
         sender=MILLS, to=[], date="2011-08-16T10:03:00", subject="FW: Connecting Ric Barton and Maureen White"),
    # garbled stamp `Date: 12/31/201515,B6` carries the marker
    dict(doc="C05785937", release="HRCEmail_DecWeb", disp="PART", ex=[], pages="tb", n=2,
         sender="H <hrod17@clintonemail.com>", to=["'sullivanjj@state.gov."], date="2011-05-03T20:34:00",
         subject="Re: Foreign Affairs Policy Board"),
    dict(doc="C05797364", release="HRCEmail_Jan7thWeb", disp="PART", ex=["B5", "B6"], pages="tt", n=1,
         sender="Coleman, Claire L <ColemanCL@state.gov >", to=[], date="2012-10-24T07:24:00",
         subject="Mini for today-Wednesday, October 24, 2012"),
    dict(doc="C05796844", release="HRCEmail_Jan7thWeb", disp="PART", ex=["1.4(B)", "1.4(D)", "B1", "B5"],
         pages="twt", n=5, sender="Hanley, Monica R <HanleyMR@state.gov>", to=["H"], date="2012-10-20T20:23:00",
         subject="Re: Reaching out to Mikati"),
    # Blumenthal memo only: For/From/Re block, no date
    dict(doc="C05786548", release="HRCEmail_Jan7thWeb", disp="FULL", ex=[], pages="tttt", n=1,
         sender="Sid", to=["Hillary"], date=None, subject="Sudan intel"),
    dict(doc="C05768219", release="HRCEmail_Jan29thWeb", disp="PART", ex=["B5"], pages="t", n=3,
         sender=MILLS, to=["H"], date="2010-04-10T06:54:00", subject="Fw: Death of Polish president: next steps"),
    dict(doc="C05785063", release="HRCEmail_Jan29thWeb", disp="PART", ex=["1.4(B)", "1.4(D)", "B1", "B5"],
         pages="t", n=1, sender=SULL, to=["H"], date="2011-12-16T18:28:00", subject="Daqduq"),
    # marker beside the From/Sent lines: `RELEASE IN` / `PART B1,1.4(D)`
    dict(doc="C05774351", release="HRCEmail_Jan29thWeb", disp="PART", ex=["1.4(D)", "B1"], pages="ttw", n=3,
         sender=SULL, to=["H"], date="2012-06-28T10:11:00", subject="Fw: Latest info from friend of HRC"),
    dict(doc="C05772789", release="HRCEmail_Feb13thWeb", disp="PART", ex=["1.4(B)", "1.4(D)", "B1"], pages="tt",
         n=5, sender="Hanley, Monica R <HanleyMR@state.gov>", to=[], date="2012-06-17T13:43:00",
         subject="Sec. Kissinger"),
    dict(doc="C05769765", release="HRCEmail_Feb13thWeb", disp="PART", ex=["1.4(D)", "B1"], pages="t", n=1,
         sender=SULL, to=[], date="2010-02-09T13:36:00", subject=None),
    dict(doc="C05787571", release="HRCEmail_Feb13thWeb", disp="PART", ex=["1.4(B)", "1.4(D)", "B1", "B6"],
         pages="tw", n=1, sender="Monica Hanley <", to=[], date="2012-01-21T08:13:00",
         subject="Background Note for Amr Call from Bob Hormats"),
    # HRC_Email_296: five-line stamp block, Bates footer, indented headers
    dict(doc="C05739545", release="HRC_Email_296", disp="FULL", ex=[], pages="t", n=2,
         sender="Sullivan, Jacob J <Sullivan11@state.gov >", to=[], date="2012-09-12T10:16:00", subject="FW: Wow"),
    dict(doc="C05739848", release="HRC_Email_296", disp="PART", ex=["B6"], pages="tt", n=1,
         sender="Sidney Blumenthal", to=[], date="2012-12-19T09:01:00",
         subject="H: Sure you've seen all this info, but start on graph 5. Sid"),
    dict(doc="C05739772", release="HRC_Email_296", disp="PART", ex=["B6"], pages="ttt", n=4,
         sender=SULL, to=[], date="2012-10-25T11:18:00",
         subject="Re: H: Latest intel: Libyan leadership private discussions. Sid"),
    dict(doc="C05739595", release="HRC_Email_296", disp="PART", ex=["B5", "B6"], pages="tw", n=2,
         sender="H <hrod17@clintonemail.com>", to=["'Russorv@state.gov°"], date="2012-09-13T16:40:00",
         subject="Fw: Quick Summary of POTUS Calls to Presidents of Libya and Egypt"),
    # image-only NDAS files: `\f\f`
    dict(doc="C05833708", release="HRC_NDAS", disp=None, ex=[], pages="bb", n=0),
    dict(doc="C05833723", release="HRC_NDAS", disp=None, ex=[], pages="bb", n=0),
]

RELEASE_DATES = {"HRC_Email_296": "2015-05-13", "HRCEmail_JuneWeb": "2015-06-30", "HRCEmail_JulyWeb": "2015-07-31",
                 "Clinton_Email_August_Release": "2015-08-31", "HRCEmail_SeptemberWeb": "2015-09-30",
                 "HRCEmail_OctWeb": "2015-10-30", "HRCEmail_NovWeb": "2015-11-30", "HRCEmail_DecWeb": "2015-12-31",
                 "HRCEmail_Jan7thWeb": "2016-01-07", "HRCEmail_Jan29thWeb": "2016-01-29",
                 "HRCEmail_Feb13thWeb": "2016-02-13"}


def _parse(corpus_doc, doc_id):
    path = corpus_doc(doc_id)
    return parse_foia(path.read_text(encoding="utf-8"), doc_id, path.parent.name)


def test_table_covers_every_release():
    per = {}
    for e in EXPECTED:
        per[e["release"]] = per.get(e["release"], 0) + 1
    assert len(EXPECTED) >= 30
    assert set(per) == set(RELEASE_DATES) | {"HRC_NDAS"} and min(per.values()) >= 2


@pytest.mark.parametrize("e", EXPECTED, ids=[e["doc"] for e in EXPECTED])
def test_document_fields(corpus_doc, e):
    doc = _parse(corpus_doc, e["doc"])
    assert doc.release == e["release"]
    assert doc.disposition == (f"RELEASE IN {e['disp']}" if e["disp"] else None)
    assert doc.exemptions == e["ex"]
    assert "".join(p.status[0] for p in doc.pages) == e["pages"]
    assert len(doc.messages) == e["n"]
    if e["release"] == "HRC_NDAS":
        assert doc.case is None and doc.release_date is None
        return
    assert doc.case == ("F-2015-04841" if e["release"] == "HRC_Email_296" else "F-2014-20439")
    assert doc.release_date == RELEASE_DATES[e["release"]]
    assert doc.meta["stamp_doc_no"] == e["doc"]
    top = doc.messages[0]
    assert (top.sender, top.to, top.date, top.subject) == (e["sender"], e["to"], e["date"], e["subject"])
    assert doc.title == (e["subject"] or doc.title)


def test_nested_messages_of_a_chain(corpus_doc):
    doc = _parse(corpus_doc, "C05758398")
    m1, m2 = doc.messages[1], doc.messages[2]
    assert (m1.sender, m1.to, m1.cc, m1.date) == (MILLS, ["H"], ["Abedin, Huma <AbedinH@state.gov>"],
                                                  "2009-04-13T08:13:05")
    assert m1.subject == "FW: Note for Secretary re Office of Overseas Buildings"
    assert m1.body.strip() == "Print for HRC"
    assert (m2.sender, m2.to, m2.cc, m2.date) == ("Kennedy, Patrick F", ["Mills, Cheryl D"], ["Toiv, Nora F"],
                                                  "2009-04-01T18:13:00")
    assert "UNCLASSIFIED" not in m2.body and m2.body.split() == ["Cheryl", "Per", "discussion", "Regards", "pat"]
    assert doc.text[m1.start:m1.body_start].lstrip().startswith("Original Message")


def test_wrapped_recipient_lists(corpus_doc):
    m = _parse(corpus_doc, "C05775511").messages[3]
    assert m.sender == "Davies, Glyn T" and m.date == "2010-04-24T13:24:00" and m.subject == "Amano"
    assert m.to == ["Mull, Stephen D", "Einhorn, Robert J", "Timbie, James P", "Cook, Nerissa J", "Scheland, Mark",
                    "DL", "Burk, Susan F"]
    assert m.cc[0] == "'Poneman, Daniel'" and m.cc[-1] == "Nephew, Richard M" and len(m.cc) == 7


def test_gmail_forward_and_wrote_line(corpus_doc):
    m = _parse(corpus_doc, "C05765959").messages[1]
    assert (m.sender, m.date, m.subject) == ("Minyon Moore", "2009-12-05T20:42:00", "Charles Blow in NYT today")
    msgs = _parse(corpus_doc, "C05771326").messages
    assert msgs[2].extra.get("quote_intro") and msgs[2].sender == MILLS and msgs[2].date == "2010-11-17T13:46:00"


def test_begin_forwarded_and_memo(corpus_doc):
    msgs = _parse(corpus_doc, "C05773431").messages
    assert msgs[2].sender == '"Jentleson, Adam (Reid)" <Adam Jentleson@reid.senate.gov>'
    assert msgs[2].date == "2010-12-21T11:34:24" and msgs[2].subject == "FW: Pop Quiz: Whose Would You Listen To?"
    doc = _parse(corpus_doc, "C05768806")
    assert doc.messages[0].attachments == ["hrc memo greek crisis.europe 042710.docx"]
    memo = doc.messages[1]
    assert (memo.sender, memo.to, memo.cc, memo.subject) == ("Sid", ["Hillary"], ["Cheryl"],
                                                             "Greek economic crisis; transatlantic consequences")
    assert memo.extra.get("memo")


def test_classification_banner(corpus_doc):
    doc = _parse(corpus_doc, "C05773452")
    assert doc.classification == {"classified_by": "DAS, A/GIS, DoS", "classified_on": "2015-08-27",
                                  "level": "CONFIDENTIAL", "reason": "1.4(B),1.4(D)", "declassify_on": "2025-02-08"}
    assert _parse(corpus_doc, "C05758398").classification == {}


def test_withheld_page_and_margin_codes(corpus_doc):
    doc = _parse(corpus_doc, "C05777817")
    assert [p.status for p in doc.pages] == ["text", "withheld", "withheld"]
    assert doc.pages[1].exemptions and set(doc.pages[1].exemptions) <= {"B1", "B5", "B6", "1.4(D)"}
    assert doc.pages[1].start == doc.pages[0].end and doc.pages[-1].end == len(doc.text)
    for mc in doc.meta["margin_codes"]:
        assert doc.text[mc["offset"]:mc["offset"] + 2] == mc["code"][:2]
    assert {mc["page"] for mc in doc.meta["margin_codes"]} >= {2, 3}


def test_hrc_email_296_profile(corpus_doc):
    doc = _parse(corpus_doc, "C05739545")
    assert doc.meta["bates"] == ["STATE-SCB0045247"]
    body = doc.messages[1].body
    assert "STATE DEPT" not in body and "05/13/2015" not in body and "wonderful, strong" in body
    assert _parse(corpus_doc, "C05739547").release_date == "2015-05-14"


def test_clean_text_drops_noise_keeps_signals(corpus_doc):
    doc = _parse(corpus_doc, "C05768806")
    clean = clean_text(doc.text, doc.meta["drop_spans"])
    assert "UNCLASSIFIED U.S." not in clean and "RELEASE IN" not in clean
    assert "For: Hillary" in clean and "Greek economic crisis" in clean
    assert len(clean) < len(doc.text)


def test_reader(corpus_doc, tmp_path):
    path = corpus_doc("C05739545")
    src = Source(name=str(path), path=str(path))
    assert FoiaReader.score(src) == 50
    doc = next(FoiaReader().read(src))
    assert (doc.doc_id, doc.release, doc.source_format) == ("C05739545", "HRC_Email_296", "foia")
    assert doc.text == path.read_text(encoding="utf-8")
    raw = path.read_bytes().replace(b"Wow", b"W\x93ow\x94")                    # not UTF-8
    bad = Source(name="rel/CO5739545.txt", data=raw, hint={"release": "X"})
    doc = next(FoiaReader().read(bad))
    assert doc.doc_id == "C05739545" and doc.release == "X" and doc.meta["decoding"] == "cp1252"
    assert doc.text.encode("cp1252") == raw
    assert FoiaReader.score(Source(name="notes.txt", data=b"just a note\n")) == 0


@pytest.mark.parametrize("junk", ["", "\f", "\f\f", "From:\f", "From: x\nSent:\nTo:\nSubject:", "RELEASE IN\n" * 50,
                                  "\x00\ud800 Case No. F-2014-2 Doc No. C0\f", "Classified by DAS on"])
def test_never_raises_on_junk(junk):
    doc = parse_foia(junk, "C00000000")
    assert doc.text == junk
    assert len(doc.pages) == junk.count("\f") + (0 if junk.endswith("\f") or not junk else 1)


def test_whole_corpus(corpus_dir):
    """Every document parses; pinned floors sit just below the measured rates."""
    files = sorted(corpus_dir.glob("*/*.txt"))
    assert len(files) == 27159
    from_re = re.compile(r"^\s*From\s*:", re.M)
    n_from = n_sender = sent = sent_ok = nonempty = disp = 0
    elapsed = 0.0
    for path in files:
        text = path.read_text(encoding="utf-8")
        t0 = time.perf_counter()
        doc = parse_foia(text, path.stem, path.parent.name)
        elapsed += time.perf_counter() - t0
        assert doc.status == "ok", (path.stem, doc.meta.get("errors"))
        assert doc.text is text and len(doc.pages) == text.count("\f")
        if from_re.search("\n".join(text.split("\n", 40)[:40])):
            n_from += 1
            n_sender += bool(doc.messages and doc.messages[0].sender)
        for m in doc.messages:
            assert 0 <= m.start <= m.body_start <= m.end <= len(text)
            if "Sent" in text[m.start:m.body_start]:
                sent += 1
                sent_ok += m.date is not None
        if text.strip():
            nonempty += 1
            disp += doc.disposition is not None
    print(f"\nparse {len(files) / elapsed:.0f} docs/s; top sender {n_sender / n_from:.4f}; "
          f"Sent dates {sent_ok / sent:.4f}; disposition {disp / nonempty:.4f}")
    assert n_sender / n_from >= 0.998
    assert sent_ok / sent >= 0.99
    assert disp / nonempty >= 0.997

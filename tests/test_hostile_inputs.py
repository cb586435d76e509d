"""Hostile inputs: each is refused with its reason code, nothing is written outside temp dirs,
and the healthy members of the same archive are still read."""
from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pikepdf
import pytest

from dalil.ingest.archives import SevenZipReader, TarReader, ZipReader
from dalil.ingest.base import pick
from dalil.ingest.binary import BinaryReader
from dalil.ingest.pdf import PdfReader
from dalil.ingest.safety import Budget, is_rejected
from dalil.ingest.text import TextReader
from dalil.model import IngestError, Source


def members(reader, path, **hint):
    return list(reader().read(Source(name=str(path), path=str(path), hint=hint)))


def outcome(ms):
    """basename -> error code (None when the member was read)."""
    return {m.name.rsplit("!", 1)[1]: m.hint.get("error") for m in ms}


def refuse(reader, source) -> str:
    with pytest.raises(IngestError) as e:
        list(reader().read(source))
    return e.value.code


@pytest.fixture
def no_stray_files(tmp_path):
    """Fail if anything new appears in the system temp dir or the working directory."""
    tmp_before = set(os.listdir(tempfile.gettempdir()))
    cwd_before = set(os.listdir("."))
    yield
    new_tmp = {n for n in set(os.listdir(tempfile.gettempdir())) - tmp_before
               if not n.startswith(("dalil-scratch-", "pytest", "tess_"))}
    assert not new_tmp
    assert set(os.listdir(".")) == cwd_before
    assert not (Path(tempfile.gettempdir()) / "x").exists()


def test_truncated_pdf(samples_dir, tmp_path):
    data = (samples_dir / "pdf" / "tika-testPDF.pdf").read_bytes()
    p = tmp_path / "cut.pdf"
    p.write_bytes(data[: len(data) // 2])
    assert refuse(PdfReader, Source(name=str(p), path=str(p))) == "truncated_pdf"


def test_encrypted_pdf(samples_dir, tmp_path):
    p = tmp_path / "locked.pdf"
    with pikepdf.open(samples_dir / "pdf" / "tika-testPDF.pdf") as pdf:
        pdf.save(p, encryption=pikepdf.Encryption(user="secret", owner="owner", R=6))
    assert refuse(PdfReader, Source(name=str(p), path=str(p))) == "encrypted_pdf"


def test_password_protected_zip_member_others_still_read(tmp_path, no_stray_files):
    (tmp_path / "secret.txt").write_text("classified")
    z = tmp_path / "mixed.zip"
    subprocess.run(["7z", "a", "-tzip", "-psecret", str(z), "secret.txt"], cwd=tmp_path,
                   check=True, capture_output=True)
    with zipfile.ZipFile(z, "a") as zf:
        zf.writestr("open.txt", "public text")
    got = outcome(members(ZipReader, z))
    assert got == {"secret.txt": "encrypted_archive", "open.txt": None}


def test_password_protected_7z(tmp_path):
    (tmp_path / "a.txt").write_text("classified")
    z = tmp_path / "locked.7z"
    subprocess.run(["7z", "a", "-psecret", str(z), "a.txt"], cwd=tmp_path, check=True, capture_output=True)
    assert refuse(SevenZipReader, Source(name=str(z), path=str(z))) == "encrypted_archive"


def test_zip_bomb_member_is_refused_others_still_read(tmp_path, no_stray_files):
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", b"\0" * (50 << 20))       # ~1000:1
        zf.writestr("note.txt", "hello")
    got = outcome(members(ZipReader, z))
    assert got == {"zeros.bin": "budget_exceeded:ratio", "note.txt": None}


def test_zip_total_size_budget(tmp_path):
    z = tmp_path / "big.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        for i in range(4):
            zf.writestr(f"part{i}.bin", os.urandom(300_000))
    ms = members(ZipReader, z, budget_limits={"max_total_bytes": 700_000})
    codes = [m.hint.get("error") for m in ms]
    assert codes[:2] == [None, None]
    assert "budget_exceeded:total_bytes" in codes[2:]


def test_tar_gz_bomb_is_stopped_while_streaming(tmp_path):
    t = tmp_path / "bomb.tar.gz"
    zeros = io.BytesIO(b"\0" * (40 << 20))
    with tarfile.open(t, "w:gz") as tf:
        info = tarfile.TarInfo("zeros.bin")
        info.size = 40 << 20
        tf.addfile(info, zeros)
        info = tarfile.TarInfo("ok.txt")
        info.size = 5
        tf.addfile(info, io.BytesIO(b"hello"))
    got = outcome(members(TarReader, t))
    assert got["zeros.bin"] == "budget_exceeded:ratio"
    assert got["ok.txt"] is None


def test_escaping_and_absolute_member_names(tmp_path, no_stray_files):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../../x", "escape")
        zf.writestr("/etc/x", "absolute")
        zf.writestr("a/../../x", "sneaky")
        zf.writestr("C:\\x", "drive")
        zf.writestr("good/mail.eml", "Subject: hi\n\nbody")
    got = outcome(members(ZipReader, z))
    assert got == {"../../x": "unsafe_path", "/etc/x": "unsafe_path", "a/../../x": "unsafe_path",
                   "C:\\x": "unsafe_path", "good/mail.eml": None}
    assert not (tmp_path.parent / "x").exists()


def test_tar_symlink_device_and_fifo_members(tmp_path, no_stray_files):
    t = tmp_path / "special.tar"
    with tarfile.open(t, "w") as tf:
        for name, kind in (("link", tarfile.SYMTYPE), ("hard", tarfile.LNKTYPE),
                           ("dev", tarfile.CHRTYPE), ("fifo", tarfile.FIFOTYPE)):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = "/etc/passwd" if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
            tf.addfile(info)
        info = tarfile.TarInfo("../../x")
        info.size = 3
        tf.addfile(info, io.BytesIO(b"bad"))
        info = tarfile.TarInfo("mail.txt")
        info.size = 5
        tf.addfile(info, io.BytesIO(b"hello"))
    ms = members(TarReader, t)
    assert outcome(ms) == {"link": "unsafe_member", "hard": "unsafe_member", "dev": "unsafe_member",
                           "fifo": "unsafe_member", "../../x": "unsafe_path", "mail.txt": None}
    assert [m.data for m in ms if not is_rejected(m)] == [b"hello"]


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert refuse(TextReader, Source(name=str(p), path=str(p))) == "empty_file"
    assert refuse(PdfReader, Source(name=str(tmp_path / "e.pdf"), data=b"")) == "empty_file"


def test_empty_member_is_recorded(samples_dir):
    got = outcome(members(ZipReader, samples_dir / "zip" / "libratom-emails.zip"))
    assert got["emails/sample_output_multipart"] == "empty_file"
    assert sum(code is None for code in got.values()) == 101     # 100 e-mails + .gitattributes


def test_sparse_2gb_file_is_not_read_into_memory(tmp_path):
    import resource

    p = tmp_path / "huge.txt"
    with open(p, "wb") as fh:
        fh.truncate(2**31)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    src = Source(name=str(p), path=str(p))
    assert pick(src) is TextReader
    assert refuse(TextReader, src) == "too_large"
    bare = Source(name=str(tmp_path / "huge"), path=str(p), size=2**31)   # no extension: sniffed
    assert pick(bare) is BinaryReader                 # kept as a metadata-only document, not read
    (doc,) = BinaryReader().read(bare)
    assert doc.meta["size"] == 2**31 and doc.text == "" and bare.data is None
    assert refuse(ZipReader, Source(name=str(tmp_path / "huge.zip"), path=str(p))) == "corrupt_archive"
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert grown_kib < 200_000


def test_corrupt_archives(tmp_path):
    z = tmp_path / "bad.zip"
    z.write_bytes(b"PK\x03\x04" + b"garbage" * 100)
    assert refuse(ZipReader, Source(name=str(z), path=str(z))) == "corrupt_archive"
    t = tmp_path / "bad.tar.gz"
    t.write_bytes(b"\x1f\x8b\x08\x00" + b"garbage" * 100)
    assert refuse(TarReader, Source(name=str(t), path=str(t))) == "corrupt_archive"
    s = tmp_path / "bad.7z"
    s.write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\0" * 100)
    assert refuse(SevenZipReader, Source(name=str(s), path=str(s))) == "corrupt_archive"


def test_nesting_depth_budget(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("m.txt", "deep")
    src = Source(name="deep.zip", data=inner.getvalue(), depth=5, hint={"budget": Budget(max_depth=5)})
    assert refuse(ZipReader, src) == "budget_exceeded:depth"


def test_file_count_budget(tmp_path):
    z = tmp_path / "many.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for i in range(10):
            zf.writestr(f"f{i}.txt", "x")
    ms = members(ZipReader, z, budget_limits={"max_files": 3})
    assert [m.hint.get("error") for m in ms] == [None, None, None, "budget_exceeded:files"]

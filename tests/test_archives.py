"""Archive containers: member naming, nesting, formats, scratch spill."""
from __future__ import annotations

import io
import os
import subprocess
import tarfile
import zipfile

import pytest

from dalil.ingest.archives import SevenZipReader, TarReader, ZipReader
from dalil.ingest.base import pick
from dalil.ingest.safety import Budget, is_rejected
from dalil.model import Source


def test_sample_zip_members(samples_dir):
    path = samples_dir / "zip" / "libratom-emails.zip"
    src = Source(name=str(path), path=str(path), hint={"release": "test", "ocr": "never"})
    assert pick(src) is ZipReader
    ms = list(ZipReader().read(src))
    good = [m for m in ms if not is_rejected(m)]
    emls = [m for m in good if m.name.endswith(".eml")]
    assert len(emls) == 100
    m = next(m for m in emls if m.name.endswith("multi_charset/japanese_iso_2022.eml"))
    assert m.name == f"{path}!emails/multi_charset/japanese_iso_2022.eml"
    assert m.depth == 1 and m.root == str(path) and m.data.startswith(b"")
    assert m.size == len(m.data) > 0
    assert m.hint["release"] == "test" and m.hint["ocr"] == "never"
    assert pick(m).name != "zip"


def test_nested_zip_is_just_another_member(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("inner/path.eml", "Subject: nested\n\nhello")
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("inner.zip", inner.getvalue())
    [mid] = ZipReader().read(Source(name="outer.zip", path=str(outer)))
    assert mid.name == "outer.zip!inner.zip" and pick(mid) is ZipReader
    [leaf] = ZipReader().read(mid)
    assert leaf.name == "outer.zip!inner.zip!inner/path.eml"
    assert leaf.depth == 2 and leaf.root == "outer.zip"
    assert leaf.hint["budget"] is mid.hint["budget"]        # one budget per root input
    assert leaf.data == b"Subject: nested\n\nhello"


@pytest.mark.parametrize("suffix,mode", [(".tar", "w"), (".tar.gz", "w:gz"), (".tgz", "w:gz"),
                                         (".tar.bz2", "w:bz2"), (".tar.xz", "w:xz")])
def test_tar_flavours(tmp_path, suffix, mode):
    p = tmp_path / f"mails{suffix}"
    with tarfile.open(p, mode) as tf:
        for name, body in (("a/1.eml", b"Subject: one\n\n1"), ("b/2.txt", b"two")):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tf.addfile(info, io.BytesIO(body))
    src = Source(name=p.name, path=str(p))
    assert pick(src) is TarReader
    ms = list(TarReader().read(src))
    assert [(m.name, m.data) for m in ms] == [(f"{p.name}!a/1.eml", b"Subject: one\n\n1"),
                                              (f"{p.name}!b/2.txt", b"two")]


def test_7z_members(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "m.txt").write_text("seven")
    (tmp_path / "d" / "n.txt").write_text("zip")
    p = tmp_path / "box.7z"
    subprocess.run(["7z", "a", str(p), "d"], cwd=tmp_path, check=True, capture_output=True)
    src = Source(name="box.7z", path=str(p))
    assert pick(src) is SevenZipReader
    with Budget() as budget:
        src.hint["budget"] = budget
        ms = sorted(SevenZipReader().read(src), key=lambda m: m.name)
        assert [m.name for m in ms] == ["box.7z!d/m.txt", "box.7z!d/n.txt"]
        assert [m.read() for m in ms] == [b"seven", b"zip"]
        scratch = os.path.dirname(ms[0].path)
        assert not scratch.startswith(str(tmp_path))           # never next to the user's files
    assert not os.path.exists(scratch)                          # removed with the root's budget


def test_large_member_spills_to_private_scratch(tmp_path):
    p = tmp_path / "big.zip"
    blob = os.urandom(3 << 20)
    with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("big.bin", blob)
    with Budget(spill_bytes=1 << 20) as budget:
        [m] = ZipReader().read(Source(name="big.zip", path=str(p), hint={"budget": budget}))
        assert m.data is None and m.path and m.size == len(blob)
        assert m.read() == blob
    assert not os.path.exists(m.path)

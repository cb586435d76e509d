"""The fuzzing harness shared by tests/test_fuzz_readers.py (Hypothesis) and fuzz/run_atheris.py.

One *format* is a name, a way to place the fuzzed bytes on disk (a file with the format's suffix,
or a Maildir folder around one message) and a list of seeds: small valid files built here, plus
the public samples of ../shared when they are present (read, never copied into the repository).

`run_input` hands the placed input to the ingest pipeline exactly as `dalil ingest` does (top-level
containers expanded by `leaf_sources`, each leaf read by `read_source`, OCR off) and `check` states
the properties: no exception escapes, a failure carries a reason code, a reader bug is not hidden
behind the pipeline's `reader_error` safety net, every text is a valid str that SQLite accepts,
every offset lies inside its text, nothing is written outside the input's own folder.
"""
from __future__ import annotations

import email.utils
import io
import os
import json
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Callable

from dalil.ingest.pipeline import Outcome, leaf_sources, read_source
from dalil.ingest.sources import estimate_count

ROOT = Path(__file__).resolve().parent.parent
# ../shared beside the checkout, or beside the folder of worktrees.
SHARED = Path(os.environ.get("DALIL_SHARED") or next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), ROOT.parent / "shared"))
SAMPLES = SHARED / "data" / "samples"
CORPUS = Path(os.environ.get("DALIL_TEST_CACHE", "/tmp/dalil-test-cache")) / "corpus" / "text"
REGRESSIONS = ROOT / "tests" / "data" / "fuzz-regressions"
# An absolute member name of the hostile archives: it must never exist after a run.
ABS_TARGET = "/tmp/dalil-fuzz-absolute-target.txt"
HINT = {"ocr": "never", "budget_limits": {"max_total_bytes": 64 << 20, "spill_bytes": 1 << 20,
                                          "max_files": 2000, "max_seconds": 30}}


class Finding(AssertionError):
    """A property of the pipeline does not hold for this input."""


@dataclass
class Format:
    name: str
    suffix: str
    seeds: list[bytes] = field(default_factory=list)
    folder: bool = False            # the input is a Maildir folder holding the bytes as one message


# --- seeds built here ------------------------------------------------------------------
def _eml(subject: str = "Libya update", attach: bytes | None = None, name: str = "note.txt") -> bytes:
    m = EmailMessage()
    m["From"] = "Jake Sullivan <sullivanjj@state.gov>"
    m["To"] = "H <hdr22@clintonemail.com>, \"Mills, Cheryl D\" <millscd@state.gov>"
    m["Cc"] = "abedinh@state.gov"
    m["Subject"] = subject
    m["Date"] = email.utils.format_datetime(email.utils.parsedate_to_datetime("Mon, 13 Apr 2009 11:09:00 -0400"))
    m["Message-ID"] = "<abc123@state.gov>"
    m.set_content("The meeting in Tripoli moved to Thursday.\n\n> earlier text\n")
    m.add_alternative("<p>The meeting in <b>Tripoli</b> moved to Thursday.</p>", subtype="html")
    if attach is not None:
        m.add_attachment(attach, maintype="application", subtype="octet-stream", filename=name)
    return m.as_bytes()


def _arabic_eml() -> bytes:
    m = EmailMessage()
    m["From"] = "=?utf-8?b?2KPYrdmF2K8g2LnZhNmK?= <ahmad@example.org>"
    m["To"] = "x@example.org"
    m["Subject"] = "اجتماع طرابلس"
    m.set_content("تم تأجيل الاجتماع إلى يوم الخميس.", charset="utf-8")
    return m.as_bytes()


FOIA_TEXT = (
    "UNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05739545 Date: 05/13/2015\n"
    "STATE DEPT. - PRODUCED TO HOUSE SELECT BENGHAZI COMM.\n"
    "RELEASE IN PART B6\n"
    "From: Sullivan, Jacob J <SullivanJJ@state.gov>\n"
    "Sent: Wednesday, September 12, 2012 6:44 AM\n"
    "To: H\n"
    "Subject: Re: Libya\n\n"
    "We should talk before the call with the Libyan president.\n\n"
    "----- Original Message -----\n"
    "From: H [mailto:HDR22@clintonemail.com]\n"
    "Sent: Tuesday, September 11, 2012 11:38 PM\n"
    "To: Sullivan, Jacob J\n"
    "Subject: Libya\n\n"
    "Pls call me.\n"
    "\fUNCLASSIFIED U.S. Department of State Case No. F-2014-20439 Doc No. C05739545 Date: 05/13/2015\n"
)


def _mbox() -> bytes:
    a, b = _eml("first"), _eml("second", attach=b"attached words")
    return (b"From sullivanjj@state.gov Mon Apr 13 11:09:00 2009\n" + a + b"\n"
            b"From mills@state.gov Tue Apr 14 08:00:00 2009\n" + b.replace(b"\nFrom ", b"\n>From ") + b"\n")


def _png(size: tuple[int, int] = (24, 12), fmt: str = "PNG") -> bytes:
    from PIL import Image, ImageDraw
    img = Image.new("L", size, 255)
    ImageDraw.Draw(img).text((1, 1), "Hi", fill=0)
    out = io.BytesIO()
    img.save(out, format=fmt)
    return out.getvalue()


def _tiff_two_pages() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    frames = [Image.new("L", (16, 8), 255), Image.new("L", (16, 8), 0)]
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    return out.getvalue()


def _pdf(text: str = "Tripoli meeting moved to Thursday") -> bytes:
    """A one-page PDF with a text layer, written by hand (the xref offsets are exact)."""
    stream = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _docx() -> bytes:
    import docx
    d = docx.Document()
    d.core_properties.title = "Memo"
    d.add_paragraph("The meeting in Tripoli moved to Thursday.")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Sullivan", "Mills"
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


def _tar(members: dict[str, bytes], mode: str = "w:gz", links: bool = False) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        if links:
            for name, target, kind in (("link-out", "/etc/passwd", tarfile.SYMTYPE),
                                       ("link-up", "../../escape.txt", tarfile.SYMTYPE),
                                       ("hard", "/etc/hostname", tarfile.LNKTYPE),
                                       ("dev", "", tarfile.CHRTYPE), ("fifo", "", tarfile.FIFOTYPE)):
                info = tarfile.TarInfo(name)
                info.type, info.linkname = kind, target
                tf.addfile(info)
    return out.getvalue()


def _7z(members: dict[str, bytes]) -> bytes:
    import py7zr
    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(data, name)
    return out.getvalue()


HOSTILE = {"../escape.txt": b"escaped", ABS_TARGET: b"absolute", "a/../../escape2.txt": b"up",
           "C:\\evil.txt": b"drive", "..\\..\\win-escape.txt": b"backslashes", "ok.txt": b"plain words"}


def _zip_symlink() -> bytes:
    """A zip whose member is a Unix symbolic link to /etc/passwd (extractors that honour it write through it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        link = zipfile.ZipInfo("link-to-passwd")
        link.external_attr = (0o120777 << 16)
        zf.writestr(link, "/etc/passwd")
        zf.writestr("ok.txt", "plain words")
    return out.getvalue()


def _nested(depth: int) -> bytes:
    """A zip in a zip ... `depth` times, an e-mail at the bottom (the depth budget is 5)."""
    data = _zip({"mail.eml": _eml()})
    for i in range(depth):
        data = _zip({f"level{i}.zip": data})
    return data


def _samples(folder: str, *patterns: str) -> list[bytes]:
    d = SAMPLES / folder
    if not d.is_dir():
        return []
    return [p.read_bytes() for pat in patterns for p in sorted(d.rglob(pat))
            if p.is_file() and p.stat().st_size < 3 << 20]


def _corpus(n: int = 3) -> list[bytes]:
    if not CORPUS.is_dir():
        return []
    files = sorted(CORPUS.glob("*/*.txt"))[:: 2000][:n]
    return [p.read_bytes() for p in files]


def _formats() -> dict[str, Format]:
    eml = _eml("attached", attach=_eml("inner"), name="fwd.eml")
    nested_zip = _zip({"inner/mail.eml": _eml(), "inner.tar.gz": _tar({"deep/note.txt": b"deep words"})})
    fs = [
        Format("foia", ".txt", [FOIA_TEXT.encode(), FOIA_TEXT.encode("cp1252", "replace")] + _corpus()),
        Format("text", ".md", [b"plain words\nsecond line\n", "نص عربي قصير\n".encode("utf-8"),
                               "\ufeffBOM text".encode("utf-8"), "caf\xe9 cr\xe8me".encode("latin-1"),
                               "utf16 words".encode("utf-16")]),
        Format("eml", ".eml", [_eml(), eml, _arabic_eml(), _eml("archive", attach=_zip(HOSTILE), name="a.zip")]
               + _samples("eml", "*.eml")),
        Format("mbox", ".mbox", [_mbox()] + _samples("mbox", "*.mbox")),
        Format("maildir", "", [_eml(), _arabic_eml()] + _samples("maildir", "*"), folder=True),
        Format("msg", ".msg", _samples("msg", "*.msg")),
        Format("pst", ".pst", _samples("pst", "*.pst")),
        Format("pdf", ".pdf", [_pdf(), _pdf("\\(escaped\\) words")] + _samples("pdf", "*.pdf")[:3]),
        Format("image", ".png", [_png(), _png(fmt="JPEG"), _png(fmt="GIF"), _tiff_two_pages()]),
        Format("html", ".html", [b"<html><head><title>Memo</title><meta charset='utf-8'></head><body>"
                                 b"<p>Tripoli <b>meeting</b></p><script>x()</script><table><tr><td>a</td></tr>"
                                 b"</table></body></html>",
                                 "<p dir='rtl'>اجتماع</p>".encode("utf-8")]),
        Format("docx", ".docx", [_docx()]),
        Format("zip", ".zip", [_zip({"a.eml": _eml(), "b.txt": b"words", "C05739545.txt": FOIA_TEXT.encode()}),
                               _zip(HOSTILE), nested_zip, _zip({"in.zip": _zip({"x.txt": b"x words"})}),
                               _zip_symlink(), _nested(7)]
               + _samples("zip", "*.zip")),
        Format("tar", ".tar.gz", [_tar({"a.eml": _eml(), "dir/b.txt": b"words"}), _tar(HOSTILE, links=True),
                                  _tar({"in.zip": nested_zip}, mode="w")]),
        Format("7z", ".7z", [_7z({"a.eml": _eml(), "b.txt": b"words"}), _7z({"in.zip": _zip(HOSTILE)})]),
    ]
    return {f.name: f for f in fs}


_FORMATS: dict[str, Format] | None = None


def formats() -> dict[str, Format]:
    """Every fuzzed format with its seeds (built once)."""
    global _FORMATS
    if _FORMATS is None:
        _FORMATS = _formats()
    return _FORMATS


# --- mutations (shared by the Hypothesis strategies and the Atheris custom mutator) ------
def mutate(data: bytes, ops: list[tuple[str, int, int, bytes]]) -> bytes:
    """Apply (op, position, length, payload) edits: flips, truncations, insertions, deletions,
    a wrong header, a duplicated or zeroed span. Positions wrap around the data's length."""
    buf = bytearray(data)
    for op, pos, n, payload in ops:
        size = len(buf)
        at = pos % (size + 1)
        if op == "flip" and size:
            buf[at % size] ^= (n % 255) + 1
        elif op == "truncate":
            del buf[at:]
        elif op == "insert":
            buf[at:at] = payload
        elif op == "delete":
            del buf[at:at + n]
        elif op == "header":
            buf[:len(payload)] = payload
        elif op == "duplicate":
            buf[at:at] = buf[at:at + n]
        elif op == "zero":
            buf[at:at + n] = bytes(len(buf[at:at + n]))
    return bytes(buf)


# --- running one input -----------------------------------------------------------------
def place(fmt: Format, data: bytes, work: Path) -> Path:
    """Write the input where the pipeline will find it; returns the path to ingest."""
    inbox = work / "in"
    if inbox.exists():
        shutil.rmtree(inbox)
    inbox.mkdir(parents=True)
    if fmt.folder:
        box = inbox / "mail"
        for sub in ("cur", "new", "tmp"):
            (box / sub).mkdir(parents=True)
        (box / "cur" / "1491941793.M1P1.host,S=1:2,S").write_bytes(data)
        (box / "new" / "1491941794.M2P1.host").write_bytes(data[: len(data) // 2])
        return box
    # The FOIA reader keys on a DocNo file name; the others on their suffix.
    path = inbox / (("C05739545" if fmt.name == "foia" else "input") + fmt.suffix)
    path.write_bytes(data)
    return path


def run_input(fmt: Format, data: bytes, work: Path) -> list[Outcome]:
    """Ingest one input as `dalil ingest` would, without a store, from inside `work` (the working
    directory and the temp directory point there, so a stray write is seen); returns every outcome."""
    path = place(fmt, data, work)
    (work / "tmp").mkdir(exist_ok=True)
    outcomes: list[Outcome] = []
    cwd, tmp = os.getcwd(), tempfile.tempdir
    os.chdir(work / "cwd" if (work / "cwd").is_dir() else _mkdir(work / "cwd"))
    tempfile.tempdir = str(work / "tmp")
    try:
        estimate_count([str(path)])       # the progress bar's count, made before `dalil ingest` on a terminal
        for source in leaf_sources([str(path)], json.loads(json.dumps(HINT))):
            if source.hint.get("container"):
                continue                      # the container's own ledger row (always ok)
            outcomes.extend(read_source(source, None))
    finally:
        os.chdir(cwd)
        tempfile.tempdir = tmp
    return outcomes


def _mkdir(p: Path) -> Path:
    p.mkdir(parents=True)
    return p


def check(outcomes: list[Outcome], work: Path) -> None:
    """Raise Finding when a property does not hold."""
    for o in outcomes:
        if o.status not in ("ok", "partial", "failed", "duplicate"):
            raise Finding(f"unknown status {o.status!r}")
        if o.status == "failed":
            if not o.reason or not o.reason.split(":")[0].strip():
                raise Finding(f"failure without a reason: {o.path}!{o.member}")
            if o.reason.startswith(("reader_error", "worker_crashed")):
                raise Finding(f"reader crashed: {o.reason}")
        for d in o.docs:
            _check_doc(d)
    _check_writes(work)


def _check_doc(d) -> None:
    if not isinstance(d.text, str):
        raise Finding(f"text is {type(d.text).__name__}")
    try:
        nbytes = len(d.text.encode("utf-8"))          # what SQLite will store: no lone surrogates
        for s in (d.doc_id, d.html or "") + tuple(v for v in d.document_row if isinstance(v, str)):
            s.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Finding(f"text SQLite cannot store: {exc}") from None
    n = len(d.text)
    for p in d.pages:
        number, start, end, bstart, bend = p[:5]
        if not (0 <= start <= end <= n and 0 <= bstart <= bend <= nbytes):
            raise Finding(f"page {number} span {start}-{end} ({bstart}-{bend}) outside text of {n}")
    for page, start, end, bstart, bend in d.passages:
        if not (0 <= start <= end <= n and 0 <= bstart <= bend <= nbytes):
            raise Finding(f"passage {start}-{end} ({bstart}-{bend}) outside text of {n}")
    for m in d.messages:
        for off in m[10:13]:
            if off is not None and not 0 <= off <= n:
                raise Finding(f"message offset {off} outside text of {n}")


def _check_writes(work: Path) -> None:
    placed = {work / "in" / "mail" / s for s in ("cur", "new", "tmp")}
    stray = [p for p in work.rglob("*") if p.is_file() and not p.is_relative_to(work / "tmp")
             and not (p.parent in placed or p.parent == work / "in")]
    stray += [p for p in work.rglob("*") if p.is_symlink()]
    stray += [p for p in (work / "tmp").iterdir() if not p.name.startswith("dalil-scratch-")] \
        if (work / "tmp").exists() else []
    stray += [Path(p) for p in (ABS_TARGET, "/etc/escape.txt") if os.path.exists(p)]
    if stray:
        raise Finding(f"written outside the input's folder: {sorted(map(str, stray))[:5]}")


def pipeline_harness(fmt: Format, work: Path) -> Callable[[bytes], None]:
    """A function of bytes that raises Finding (or lets a bug escape) when a property fails."""
    def one(data: bytes) -> None:
        check(run_input(fmt, data, work), work)
    return one

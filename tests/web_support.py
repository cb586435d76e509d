"""Shared set-up of the web tests: a real archive built from corpus files and generated
emails, and the real `dalil serve` started as a subprocess on a free loopback port."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import httpx

from dalil import Archive

RELEASE = "HRC_Email_296"            # 296 real FOIA documents
DUP_OF, DUP_ID = "C05739794", "C05799999"
ARABIC_SUBJECT = "تقرير عن الوضع في ليبيا"
ARABIC_BODY = ("أرسلت السفارة تقريراً مفصلاً عن الوضع الأمني في ليبيا وعن الميليشيات في بنغازي.\n"
               "وطلبت الوزيرة متابعة الملف مع الحكومة الانتقالية.\n")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_eml(path: Path, subject: str, sender: str, to: str, date: str, text: str, html: str | None = None) -> Path:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Date"] = sender, to, subject, date
    msg["Message-ID"] = f"<{path.stem}@example.org>"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    path.write_bytes(bytes(msg))
    return path


def build_archive(root: Path, corpus_dir: Path, extra: list[Path] = ()) -> Path:
    """One real release, a re-release of one of its emails under another DocNo, an Arabic email."""
    inputs = root / "inputs"
    copy_dir = inputs / "HRC_Test_Rerelease"
    copy_dir.mkdir(parents=True)
    original = (corpus_dir / RELEASE / f"{DUP_OF}.txt").read_bytes()
    (copy_dir / f"{DUP_ID}.txt").write_bytes(original.replace(DUP_OF.encode(), DUP_ID.encode()))
    write_eml(inputs / "arabic.eml", ARABIC_SUBJECT, "مكتب ليبيا <libya.desk@example.org>",
              "الوزيرة <minister@example.org>", "Tue, 10 Jan 2012 09:30:00 +0200", ARABIC_BODY)
    db = root / "dalil.db"
    archive = Archive(str(db))
    report = archive.ingest([str(corpus_dir / RELEASE), str(copy_dir), str(inputs / "arabic.eml"),
                             *map(str, extra)], workers=1)
    archive.close()
    assert report.failed == 0, report.failures
    return db


class Server:
    """`dalil serve --db DB --port PORT` as a subprocess, stopped on exit; `env` adds variables
    (such as DALIL_<LIMIT>) to its environment; `ready`: the path that answers 200 once it serves
    (/login on an archive with accounts)."""

    def __init__(self, db: Path, extra_args: tuple[str, ...] = (), env: dict[str, str] | None = None,
                 ready: str = "/api/status"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from dalil.cli import run; run()", "serve", "--db", str(db),
             "--port", str(self.port), *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, **(env or {})})
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("dalil serve exited: " + self.proc.stdout.read())
            try:
                if httpx.get(self.base + ready, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("dalil serve did not answer within 60 s")
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@contextmanager
def chromium():
    """Headless Chromium from the system's package (never a downloaded browser), closed after use.
    One per test module: Playwright's sync API cannot run two of these at once in one thread."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield browser
        finally:
            browser.close()

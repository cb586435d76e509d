"""Hostile emails, ingested as real .eml files, opened in a real browser: nothing executes and
nothing loads.  Every hostile payload points at a canary HTTP server on 127.0.0.1 that must
receive no request at all (a final control request proves the canary does record them)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from dalil import Archive
from web_support import Server, build_archive, write_eml

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
MARKER = "DALIL-PWNED"


class Canary:
    def __init__(self):
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                canary.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a")

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def hostile_html(c: str) -> dict[str, str]:
    """One email per attack; `c` is the canary's base URL."""
    return {
        "script": f'<p>Quarterly note</p><script>console.log("{MARKER}");alert("{MARKER}");'
                  f'fetch("{c}/fetch");new Image().src="{c}/js-img";</script>',
        "handlers": f'<img src="{c}/img.png" onerror="alert(\'{MARKER}\')"><body onload="alert(\'{MARKER}\')">'
                    f'<svg onload="alert(\'{MARKER}\')"><image href="{c}/svg-image"/></svg>'
                    f'<div onmouseover="alert(\'{MARKER}\')">hover me</div>',
        "links": f'<a id="js" href="javascript:alert(\'{MARKER}\')">open the file</a> '
                 f'<a href="data:text/html,<script>alert(1)</script>">data link</a>'
                 f'<form action="{c}/form" method="post"><input name="x" value="y"><button>Send</button></form>',
        "remote": f'<img src="{c}/tracking-pixel.gif" width="1" height="1"><img src="//127.0.0.1:{c.rsplit(":", 1)[1]}/proto-rel">'
                  f'<iframe src="{c}/iframe"></iframe><object data="{c}/object"></object>'
                  f'<embed src="{c}/embed"><video poster="{c}/poster" src="{c}/video"></video>'
                  f'<link rel="stylesheet" href="{c}/link.css"><table background="{c}/table-bg"><tr><td>t</td></tr></table>',
        "css": f'<style>@import url("{c}/import.css"); body {{ background: url({c}/css-bg) }} '
               f'p {{ background-image: url("{c}/css-p") }} @font-face {{ font-family: x; src: url({c}/font) }}</style>'
               f'<p style="background:url({c}/inline-style)">styled</p><div style="list-style-image:url({c}/li)">x</div>',
        "refresh": f'<html><head><meta http-equiv="refresh" content="0;url={c}/refresh">'
                   f'<base href="{c}/base/"></head><body><p>Refreshing memo</p><img src="relative.png"></body></html>',
    }


@pytest.fixture(scope="module")
def canary():
    c = Canary()
    yield c
    c.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, corpus_dir, canary):
    root = tmp_path_factory.mktemp("hostile")
    mails = root / "mails"
    mails.mkdir()
    files = []
    for i, (name, html) in enumerate(hostile_html(canary.url).items()):
        subject = f'Hostile {name} <script>alert("{MARKER}")</script>'
        text = f"Hostile {name} message. <img src={canary.url}/text-part onerror=alert('{MARKER}')>"
        files.append(write_eml(mails / f"hostile-{name}.eml", subject, f"Attacker {i} <a{i}@evil.example>",
                               "victim@example.org", f"Mon, 0{i + 1} Oct 2012 10:00:00 +0000", text, html))
    db = build_archive(root, corpus_dir, extra=files)
    archive = Archive(str(db), readonly=True)
    doc_ids = [r[0] for r in archive.store.db.execute(
        "SELECT doc_id FROM documents WHERE html IS NOT NULL ORDER BY date")]
    archive.close()
    assert len(doc_ids) == len(files)
    server = Server(db)
    yield server, doc_ids
    server.stop()


def test_hostile_emails_neither_execute_nor_load(hostile, canary):
    server, doc_ids = hostile
    ARTIFACTS.mkdir(exist_ok=True)
    dialogs, console = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: console.append(m.text))
        page.on("pageerror", lambda e: console.append(str(e)))

        # The result list shows the hostile subjects and snippets.
        page.goto(server.base + "/?q=pwned")
        assert page.locator(".hit").count() == len(doc_ids)
        assert page.locator(".hit-title .subject").first.inner_text().startswith("Hostile")
        page.screenshot(path=str(ARTIFACTS / "security-search.png"), full_page=True)

        for doc_id in doc_ids:
            response = page.goto(server.base + f"/documents/{doc_id}?q=pwned")
            assert response.status == 200
            assert "script-src 'self'" in response.headers["content-security-policy"]
            frame_el = page.locator("iframe.email-frame")
            assert frame_el.count() == 1
            assert frame_el.get_attribute("sandbox") == ""
            frame_el.scroll_into_view_if_needed()
            frame_el.hover()
            frame = frame_el.element_handle().content_frame()
            frame.wait_for_load_state()
            # Inside the frame: no script, no handler, no javascript: or data: link, no remote source.
            inside = frame.evaluate("""() => {
                const all = [...document.querySelectorAll('*')];
                return {
                  scripts: document.scripts.length,
                  handlers: all.filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
                  styles: all.filter(e => e.hasAttribute('style') || e.tagName === 'STYLE').length,
                  badLinks: [...document.links].filter(a => /^(javascript|data):/i.test(a.href)).length,
                  remote: all.filter(e => ['src', 'href', 'background', 'poster', 'data', 'action']
                      .some(n => (e.getAttribute(n) || '').includes('127.0.0.1'))
                      && e.tagName !== 'A').length,
                  meta: document.querySelectorAll('meta[http-equiv="refresh"], base, iframe, object, embed, form, link').length,
                  csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]').content,
                };
            }""")
            assert inside["scripts"] == 0 and inside["handlers"] == 0 and inside["styles"] == 0, inside
            assert inside["badLinks"] == 0 and inside["remote"] == 0 and inside["meta"] == 0, inside
            assert inside["csp"].startswith("default-src 'none'")
            # The hostile subject and text part are shown as text, never as markup.
            assert "<script>" in page.locator("#doc-h").inner_text()
            assert page.locator("main script, main img").count() == 0
            page.wait_for_timeout(600)
            assert page.url.startswith(server.base + f"/documents/{doc_id}")     # no refresh happened
        page.goto(server.base + f"/documents/{doc_ids[2]}")
        page.screenshot(path=str(ARTIFACTS / "security-document.png"), full_page=True)
        page.wait_for_timeout(1000)

        assert canary.requests == [], canary.requests
        assert dialogs == []
        assert not [m for m in console if MARKER in m]

        # Control: the canary does record a request when one is really made.
        page.goto(canary.url + "/control")
        assert canary.requests[0] == "/control"
        browser.close()

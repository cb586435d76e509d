"""The Arabic interface, complete: every label translated (the catalog, the templates, the messages
the library writes in English), every mixed-script fragment isolated, long lines wrapped and no
sideways overflow at 375 px, checked on every page of the full real corpus in Chromium at desktop
(1280) and phone (375) widths, with screenshots in test-artifacts/."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dalil import QueryError, parse_query
from dalil.model import Limits
from dalil.web.app import create_app
from dalil.web.i18n import CATALOG, FSI, LRI, PDI, Translator

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "dalil" / "web" / "templates"
WEB_PY = sorted((ROOT / "dalil" / "web").glob("*.py"))
ARTIFACTS = ROOT / "test-artifacts"
LONG_DOC = "C05783777"          # an OCR text with lines of 160 characters
THREAD_DOC = "C05739545"
DUP_DOC, DUP_COPY = "C05739794", "C05787803"
# Written for this test: who wrote to whom, when, about what (a claim the tracer can check).
ARTICLE = ("كتب جيك سوليفان إلى هيلاري كلينتون في 2 أبريل 2011 رسالة بعنوان Brits and Libya "
           "عن موقف بريطانيا من الأزمة في ليبيا.")
LATIN = re.compile(r"[A-Za-z]")
ARABIC = re.compile(r"[\u0600-\u06FF]")
ISOLATED = re.compile(r"[\u2066\u2067\u2068][^\u2066-\u2069]*\u2069")


def outside_isolates(text: str) -> str:
    while True:
        shorter = ISOLATED.sub("", text)
        if shorter == text:
            return text
        text = shorter


# ---- the catalog and the code --------------------------------------------------------------

def test_every_string_has_an_arabic_translation():
    en, ar = CATALOG["en"], CATALOG["ar"]
    assert sorted(ar) == sorted(en)
    # The same text in both is allowed only for symbols and acronyms ("{month}: {n}", "CSV").
    same = [k for k in en if ar[k] == en[k] and re.search(r"[a-z]{2}", re.sub(r"\{\w+\}", "", en[k]))]
    assert same == []
    # Every Arabic string is Arabic; the Latin left in it is isolated when shown.
    t = Translator("ar")
    for key, text in ar.items():
        if re.search(r"[a-z]{2}", re.sub(r"\{\w+\}", "", en[key])):
            assert ARABIC.search(text), key
        assert not LATIN.search(outside_isolates(re.sub(r"\{\w+\}", "", t(key)))), key


def _keys_used() -> tuple[set[str], set[str]]:
    """The keys the templates and the web's Python name, and the prefixes they complete (t("mode_" ~ m))."""
    keys, prefixes = set(), set()
    for path in [*TEMPLATES.glob("*.html"), *WEB_PY]:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"""\bt\(\s*["']([a-z_0-9]+)["']\s*[,)]""", text))
        keys |= set(re.findall(r"""(?:message_key|label_key)\s*=\s*["']([a-z_0-9]+)["']""", text))
        prefixes |= set(re.findall(r"""["']([a-z_0-9]+_)["']\s*~""", text))
    return keys, prefixes


def test_every_key_the_code_uses_is_in_both_languages():
    keys, prefixes = _keys_used()
    assert len(keys) > 100 and len(prefixes) >= 6
    assert sorted(k for k in keys if k not in CATALOG["en"] or k not in CATALOG["ar"]) == []
    assert sorted(p for p in prefixes if not any(k.startswith(p) for k in CATALOG["ar"])) == []


class _TemplateText(HTMLParser):
    """The literal text and labelling attributes of a template, outside <code> and the brand name."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "meta", "link", "input", "img", "hr"):
            self.stack.append(tag)
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value and LATIN.search(value):
                self.found.append(f"@{name}={value}")

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.stack and self.stack[-1] in ("code", "title", "script", "style"):
            return
        if LATIN.search(data) and data.strip() != "dalil":
            self.found.append(data.strip())


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_hold_no_english_text(template):
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    # Jinja's own syntax and the values it prints are not literal text of the page.
    source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    parser = _TemplateText()
    parser.feed(source)
    assert parser.found == []


BAD_QUERIES = ['libya "sri', "", "OR libya", "libya OR after:2011", "libya OR -press", "-libya",
               "libya " * 300, "x" * 300, "a* b* c* d* e* f* g*", "a*", "frm:mills", 'from:""', " ".join("w%d" % i for i in range(40)),
               "after:2011-13", "before:2011-02-30", "exemption:Z9", "libya OR"]


def test_query_errors_are_translated():
    t = Translator("ar")
    seen = set()
    for text in BAD_QUERIES:
        with pytest.raises(QueryError) as caught:
            parse_query(text, Limits())
        message = t.message(f"bad query: {caught.value}")
        assert ARABIC.search(message) and not LATIN.search(outside_isolates(message)), (text, message)
        seen.add(message.split(":", 1)[1])
    assert len(seen) >= 14          # each error has its own sentence
    # A message no pattern knows is shown as it is, isolated.
    assert t.message("something new") == FSI + "something new" + PDI
    assert Translator("en").message("bad query: empty query") == "bad query: empty query"


def test_the_label_check_can_fail():
    assert LABEL_ELEMENT.search("<p><a href='/'>Download the original file</a></p>")
    assert not LABEL_ELEMENT.search("<pre>Subject: Download the original file today</pre>")


def test_values_in_arabic_strings_are_isolated():
    t = Translator("ar")
    line = t("exact_count", total="1,204", q="from:mills libya")
    assert FSI + "from:mills libya" + PDI in line and FSI + "1,204" + PDI in line
    assert LRI + "CSV" + PDI in t("graph_csv")
    assert Translator("en")("exact_count", total="3", q="x") == "3 documents contain x"


# ---- the language switch ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(full_archive):
    with TestClient(create_app(str(full_archive))) as c:
        yield c


@pytest.mark.parametrize("path", ["/people", f"/thread/{THREAD_DOC}", "/timeline?q=benghazi", "/graph?q=benghazi",
                                  f"/dupes/{DUP_DOC}", f"/documents/{THREAD_DOC}", "/trace", "/archive"])
def test_lang_parameter_switches_the_interface(client, path):
    client.cookies.clear()
    sep = "&" if "?" in path else "?"
    arabic = client.get(path + sep + "lang=ar")
    assert '<html lang="ar" dir="rtl">' in arabic.text
    client.cookies.clear()
    assert '<html lang="en" dir="ltr">' in client.get(path + sep + "ui=en").text


def test_lang_on_the_search_page_is_the_query_language(client):
    client.cookies.clear()
    page = client.get("/", params={"q": "libya", "lang": "ar", "mode": "lexical"})
    assert '<html lang="en" dir="ltr">' in page.text            # the interface stays English
    assert '<option value="ar" lang="ar" dir="auto" selected>' in page.text
    client.cookies.clear()


# ---- every page in Chromium --------------------------------------------------------------------

BIDI_CHECK = """() => {
  // Text holding Latin letters in a right-to-left page must be isolated: its Latin runs between
  // Unicode isolates (LRI/RLI/FSI ... PDI) inside the text, or an element between it and the
  // nearest right-to-left element isolates it (<bdi>, dir=, unicode-bidi: isolate) and runs
  // left to right.
  const LATIN = /[A-Za-z]/;
  const RUNS = /[\\u2066\\u2067\\u2068][^\\u2066-\\u2069]*\\u2069/g;
  const outside = (t) => { let p; do { p = t; t = t.replace(RUNS, ""); } while (t !== p); return t; };
  function isolatedLtr(el) {
    for (; el && el !== document.documentElement; el = el.parentElement) {
      const cs = getComputedStyle(el);
      if (el.tagName === "BDI" || /isolate|plaintext/.test(cs.unicodeBidi))
        return el.matches(":dir(ltr)") || cs.direction === "ltr";
    }
    return false;
  }
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    // A text field takes dir=auto; quoted text (a document's text, a snippet, an article's claim,
    // a claim's own words in its facts) keeps the direction of its own language, Latin words
    // inside an Arabic sentence included.
    if (!el || el.closest("script, style, textarea, pre.doc-text, .snippet, blockquote[dir], bdi.quoted")) continue;
    const rest = outside(n.data);
    if (LATIN.test(rest) && !isolatedLtr(el)) bad.push(el.tagName + ": " + rest.trim().slice(0, 80));
  }
  for (const el of document.body.querySelectorAll("[aria-label], [title], [placeholder], [alt]"))
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      const v = el.getAttribute(name);
      if (v && LATIN.test(outside(v)) && !isolatedLtr(el)) bad.push("@" + name + ": " + v.slice(0, 80));
    }
  return bad;
}"""

# Every wrapped text block: the width of its content fits its box (nothing cut off, no scrollbar).
WRAP_CHECK = """() => [...document.querySelectorAll('pre, .snippet, blockquote, td, dd')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && !e.closest('.table-wrap'))
  .map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth + '>' + e.clientWidth)"""


@pytest.fixture(scope="module")
def server(full_archive):
    from web_support import Server
    # Two page sizes of every page and two traces are more work than one visitor may ask a minute.
    srv = Server(full_archive, env={"DALIL_WORK_SECONDS_PER_MINUTE": "900", "DALIL_TRACE_PER_MINUTE": "100"})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    from web_support import chromium
    with chromium() as b:
        yield b


def _person_url(server) -> str:
    import httpx
    html = httpx.get(server.base + "/people?ui=ar", timeout=60).text
    return re.search(r'href="(/people/\d+)\?ui=ar"', html).group(1) + "?ui=ar"


def _pages(server) -> list[tuple[str, str, int]]:
    return [("search-home", "/?ui=ar", 200),
            ("search", "/?q=libya+militias&ui=ar", 200),
            ("search-keywords", "/?q=%D9%85%D9%86:mills+%D9%84%D9%8A%D8%A8%D9%8A%D8%A7&ui=ar", 200),  # من:mills ليبيا
            ("search-error", "/?q=%22libya&ui=ar", 400),
            ("document", f"/documents/{LONG_DOC}?q=libya&ui=ar", 200),
            ("trace-form", "/trace?ui=ar", 200),
            ("people", "/people?ui=ar", 200),
            ("person", _person_url(server), 200),
            ("thread", f"/thread/{THREAD_DOC}?ui=ar", 200),
            ("timeline", "/timeline?q=benghazi&ui=ar", 200),
            ("graph", "/graph?q=benghazi&ui=ar", 200),
            ("dupes-form", "/dupes?ui=ar", 200),
            ("dupes", f"/dupes/{DUP_DOC}?with={DUP_COPY}&ui=ar", 200),
            ("archive", "/archive?ui=ar", 200),
            ("not-found", "/documents/C00000000?ui=ar", 404)]


# The English labels (strings whose Arabic differs, with a word of three lowercase letters): none
# may be the whole text of an element of an Arabic page.
ENGLISH_LABELS = sorted({v for k, v in CATALOG["en"].items() if "{" not in v and CATALOG["ar"][k] != v
                         and re.search(r"[a-z]{3}", v)}, key=len, reverse=True)
LABEL_ELEMENT = re.compile(r">\s*(" + "|".join(map(re.escape, ENGLISH_LABELS)) + r")\s*<")


def _check_arabic_page(page, name: str, width: int) -> None:
    assert page.evaluate("document.documentElement.dir") == "rtl" and page.evaluate("document.documentElement.lang") == "ar"
    page.screenshot(path=str(ARTIFACTS / f"arabic-{name}-{width}.png"), full_page=True)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, (name, width, scroll)
    bad = page.evaluate(BIDI_CHECK)
    assert bad == [], (name, width, bad)
    assert page.evaluate(WRAP_CHECK) == [], (name, width)
    leaked = LABEL_ELEMENT.findall(page.content())
    assert leaked == [], (name, leaked)
    nav = page.locator(".main-nav a").all_inner_texts()
    assert len(nav) >= 7 and all(ARABIC.search(x) and not LATIN.search(x) for x in nav), nav
    headings = page.locator("main h1, main h2").all_inner_texts()
    assert all(ARABIC.search(h) for h in headings if not LATIN.search(outside_isolates(h))), headings


@pytest.mark.parametrize("width", [1280, 375])
def test_every_page_in_arabic(server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=server.base)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for name, url, status in _pages(server):
            assert page.goto(url).status == status, name
            _check_arabic_page(page, name, width)
        # The trace report, from the form as a reader sends it.
        page.goto("/trace?ui=ar")
        page.locator("#article").fill(ARTICLE)
        page.locator(".trace-form button").click()
        page.locator(".report").wait_for(timeout=120_000)
        assert page.locator(".claim").count() >= 1
        _check_arabic_page(page, "trace-report", width)
    finally:
        context.close()
    assert errors == []


def test_long_lines_wrap_at_phone_width(server, browser, full):
    lines = full.document(LONG_DOC).text.splitlines()
    assert max(map(len, lines)) > 120          # the check below is about a real long line
    context = browser.new_context(viewport={"width": 375, "height": 900}, base_url=server.base)
    page = context.new_page()
    page.goto(f"/documents/{LONG_DOC}?ui=ar")
    texts = page.locator("pre.doc-text")
    assert texts.count() >= 1
    for i in range(texts.count()):
        box = texts.nth(i).evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).whiteSpace]")
        assert box[0] <= box[1] + 1 and box[2] == "pre-wrap", box
    # The text is all there: wrapping cut nothing off.
    shown = page.locator("pre.doc-text").all_inner_texts()
    longest = max(lines, key=len).strip()
    assert any(longest in s for s in shown)
    context.close()


def test_english_pages_do_not_overflow_at_phone_width(server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 900}, base_url=server.base)
    page = context.new_page()
    for name, url, status in _pages(server):
        url = url.replace("ui=ar", "ui=en")
        assert page.goto(url).status == status, name
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
    context.close()


def test_file_control_speaks_arabic(server, browser, tmp_path):
    # Chromium writes a file input's own button in its locale; the page shows its own label instead.
    context = browser.new_context(viewport={"width": 375, "height": 900}, base_url=server.base)
    page = context.new_page()
    page.goto("/trace?ui=ar")
    assert page.locator("#file").evaluate("e => getComputedStyle(e).opacity") == "0"
    button, name = page.locator(".file-button"), page.locator(".file-name")
    assert button.is_visible() and ARABIC.search(button.inner_text()) and not LATIN.search(button.inner_text())
    assert ARABIC.search(name.inner_text()) and not LATIN.search(name.inner_text())
    saved = tmp_path / "maqal.txt"
    saved.write_text(ARTICLE, encoding="utf-8")
    page.locator("#file").set_input_files(str(saved))
    assert name.inner_text() == "maqal.txt"
    context.close()

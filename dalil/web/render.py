"""HTML fragments built in Python: highlighted text and the timeline chart.  Every piece
of document text goes through `escape`; markup is only ever added around escaped slices."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from markupsafe import Markup, escape


def highlight(text: str, spans, cited: tuple[int, int] | None = None, cited_id: str | None = None) -> Markup:
    """`text` escaped, with each (start, end) span wrapped in <mark> (spans are sorted, may overlap),
    and the `cited` range (a passage a link points at) in <mark class="cited" id=cited_id>, the
    spans inside it marked within it."""
    if cited and 0 <= cited[0] < cited[1]:
        a, b = cited[0], min(cited[1], len(text))
        ident = Markup(' id="{}"').format(cited_id) if cited_id else Markup("")
        return (highlight(text[:a], clip_spans(spans or [], 0, a))
                + Markup('<mark class="cited"{}>').format(ident) + highlight(text[a:b], clip_spans(spans or [], a, b))
                + Markup("</mark>") + highlight(text[b:], clip_spans(spans or [], b, len(text))))
    out, pos = [], 0
    for s, e in sorted((int(s), int(e)) for s, e in spans or []):
        s, e = max(s, pos), min(e, len(text))
        if e <= s:
            continue
        out.append(escape(text[pos:s]))
        out.append(Markup("<mark>") + escape(text[s:e]) + Markup("</mark>"))
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)


_CONTINUATION = bytes(range(0x80, 0xC0))      # UTF-8 bytes that do not start a character


def char_range(text: str, byte_start: int, byte_end: int) -> tuple[int, int] | None:
    """The characters of `text` that its UTF-8 bytes [byte_start, byte_end) touch (a range cut
    inside a character takes that whole character), or None when the range is not inside the text."""
    data = text.encode("utf-8", "surrogatepass")
    if not 0 <= byte_start < byte_end <= len(data):
        return None

    def starts(n: int) -> int:      # characters starting in the first n bytes
        return len(data[:n].translate(None, _CONTINUATION))
    return starts(byte_start + 1) - 1, starts(byte_end)


def clip_spans(spans, start: int, end: int) -> list[tuple[int, int]]:
    """The spans that fall inside [start, end), shifted to be relative to `start`."""
    return [(max(s, start) - start, min(e, end) - start) for s, e in spans if e > start and s < end]


_TOKEN = re.compile(r"\w{3,}|\d+")


def shared_term_spans(text: str, other: str) -> list[tuple[int, int]]:
    """Spans of `text` whose words (3+ letters, or numbers) also occur in `other`."""
    vocab = {m.group().casefold() for m in _TOKEN.finditer(other)}
    return [m.span() for m in _TOKEN.finditer(text) if m.group().casefold() in vocab]


def month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    ly, lm = int(last[:4]), int(last[5:7])
    out = []
    while (y, m) <= (ly, lm) and len(out) < 600:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _shift(month: str, delta: int) -> str:
    n = int(month[:4]) * 12 + int(month[5:7]) - 1 + delta
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def timeline_svg(months: dict[str, int], query: str, t, ui: str) -> Markup:
    """An inline SVG bar chart of documents per month; each bar links to that month's results."""
    if not months:
        return Markup("")
    keys = month_range(min(months), max(months))
    while len(keys) < 12:      # a short span is drawn inside a year, not as one wide bar
        keys = month_range(_shift(keys[0], -1), _shift(keys[-1], 1))[: max(12, len(keys))]
    peak = max(months.values())
    width, height, pad_top, pad_bottom = 720, 150, 14, 22
    bar_w = width / len(keys)
    plot_h = height - pad_top - pad_bottom
    parts = [f'<svg class="timeline-chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="timeline-desc" xmlns="http://www.w3.org/2000/svg">',
             f'<desc id="timeline-desc">{escape(t("timeline_desc", first=keys[0], last=keys[-1]))}</desc>',
             f'<line class="axis" x1="0" y1="{height - pad_bottom}" x2="{width}" y2="{height - pad_bottom}"/>',
             f'<text class="peak" x="2" y="10">{peak}</text>']
    for i, key in enumerate(keys):
        n = months.get(key, 0)
        x = i * bar_w
        if n:
            h = max(2.0, plot_h * n / peak)
            y, m = int(key[:4]), int(key[5:7])
            after = f"{key}-01"
            before = f"{y + 1:04d}-01-01" if m == 12 else f"{y:04d}-{m + 1:02d}-01"
            href = "/?" + urlencode({"q": f"{query} after:{after} before:{before}".strip(), "ui": ui})
            label = escape(t("timeline_bar", month=key, n=n))
            parts.append(f'<a href="{escape(href)}" aria-label="{label}"><title>{label}</title>'
                         f'<rect class="bar" x="{x + bar_w * 0.1:.1f}" y="{height - pad_bottom - h:.1f}" '
                         f'width="{max(bar_w * 0.8, 1):.1f}" height="{h:.1f}"/></a>')
        if key.endswith("-01") or (i == 0 and int(key[5:7]) <= 9):
            parts.append(f'<line class="tick" x1="{x:.1f}" y1="{height - pad_bottom}" x2="{x:.1f}" '
                         f'y2="{height - pad_bottom + 5}"/>'
                         f'<text class="year" x="{x + 2:.1f}" y="{height - 5}">{key[:4]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


_RTL = re.compile(r"[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]")
_LTR = re.compile(r"[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF]")


def text_dir(text: str | None) -> str:
    """'rtl' when most letters of `text` are from right-to-left scripts, else 'ltr' (a header
    line in Latin letters must not turn an Arabic email left to right, as dir=auto would)."""
    if not text:
        return "auto"
    sample = text[:4000]
    rtl, ltr = len(_RTL.findall(sample)), len(_LTR.findall(sample))
    return "rtl" if rtl > ltr else "ltr" if ltr else "auto"

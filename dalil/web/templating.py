"""Jinja2 with autoescape always on, and the per-request interface language."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from dalil import QUERY_FILTER_KEYWORDS
from dalil.web import i18n
from dalil.web.codes import explain
from dalil.web.render import highlight, text_dir

HERE = Path(__file__).parent
env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                  trim_blocks=True, lstrip_blocks=True)
# The first Arabic keyword of each filter, in the order of the keyword table (for the syntax hint).
_FIRST: dict[str, str] = {}
for _k, _e in QUERY_FILTER_KEYWORDS.items():
    if not _k.isascii():
        _FIRST.setdefault(_e, f"{_k}:")
ARABIC_KEYWORDS = list(_FIRST.values())
env.globals.update(highlight=highlight, textdir=text_dir, explain=explain, LANGS=i18n.LANGS,
                   arabic_keywords=ARABIC_KEYWORDS)
COOKIE = "dalil_ui"


# The pages whose own `lang` parameter means something else (the search page's document language).
LANG_PARAM_TAKEN = {"/"}


def ui_choice(request: Request) -> str | None:
    """The interface language asked for in the URL: `?ui=`, or `?lang=` on the pages where `lang`
    has no other meaning."""
    asked = request.query_params.get("ui")
    if asked is None and request.url.path not in LANG_PARAM_TAKEN:
        asked = request.query_params.get("lang")
    return asked


def ui_lang(request: Request) -> str:
    return i18n.pick(ui_choice(request), request.cookies.get(COOKIE))


def url_with(request: Request, **changes) -> str:
    """The current page's URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return request.url.path + ("?" + urlencode(params) if params else "")


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    lang = ui_lang(request)
    t = i18n.Translator(lang)
    csrf = request.scope.get("dalil.csrf")      # set by dalil.web.auth for a logged-in session
    csrf_field = Markup(f'<input type="hidden" name="csrf" value="{escape(csrf)}">') if csrf else ""
    page = env.get_template(name).render(
        request=request, t=t, ui=lang, dir=t.dir, csrf_field=csrf_field, user=request.scope.get("dalil.user"),
        url_with=lambda **c: url_with(request, **c), **context)
    response = HTMLResponse(page, status_code=status_code)
    if ui_choice(request) in i18n.CATALOG:
        response.set_cookie(COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax")
    return response

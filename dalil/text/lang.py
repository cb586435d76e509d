"""Language identification: a script pre-check, then py3langid on a restricted language set."""
from __future__ import annotations

import re
from functools import lru_cache

# Languages plausible in this kind of archive and in journalists' queries.  A restricted set
# keeps short Latin-script queries from landing on exotic languages.
LANGS = ["en", "fr", "es", "pt", "it", "de", "nl", "ar", "fa", "ur", "he", "ru", "uk", "tr",
         "pl", "ro", "sv", "zh", "ja", "ko", "el", "id", "ht", "sw", "ca"]

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_URDU = re.compile(r"[ٹڈڑںےۓھ]")
_PERSIAN = re.compile(r"[پچژگکی]")
_HEBREW = re.compile(r"[\u0590-\u05FF]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_GREEK = re.compile(r"[\u0370-\u03FF]")
_KANA = re.compile(r"[\u3040-\u30FF]")
_HAN = re.compile(r"[\u4E00-\u9FFF]")
_HANGUL = re.compile(r"[\uAC00-\uD7AF]")
_LETTERS = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")

_EN_STOP = frozenset("the of and to in is that for on with was are be by this from at have it as "
                     "not but or will he she they we you i his her has had would can about an "
                     "me my our your their what who".split())
_FR_STOP = frozenset("le la les des du de un une et est dans pour sur au aux avec par que qui "
                     "ne pas son sa ses ce cette il elle ils sont été à été".split())
SHORT = 10           # words: a query shorter than this is mostly names, which say nothing of its language
CONFIDENT = 0.99     # classifier probability trusted over the stopword counts, for ten words or more
_ES_STOP = frozenset("el los las del por para como muy pero una es y con se lo su al más está".split())
_ES_MARKS = re.compile(r"[ñ¿¡]|ción\b", re.I)
_FR_MARKS = re.compile(r"[éèêàçùœâîôûëï]|\b[ldjqns]'[a-zàâéèêîôûh]", re.I)


@lru_cache(maxsize=1)
def _identifier():
    # The model's arrays are kept parsed (model_cache): decompressing its LZMA file took half a
    # second of every one-query process.  `from_model_file` builds the same identifier from them.
    import py3langid         # its __version__, not importlib.metadata's: 30 ms of a cold search
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier, _load_model_file

    import numpy as np

    from dalil.text.model_cache import cached_model, cached_value, mapped_array, source_key
    path = MODEL_DIR / MODEL_FILE
    model = []

    def parsed():
        if not model:
            model.append(cached_model("py3langid", path, py3langid.__version__, lambda: _load_model_file(path)))
        return model[0]

    key = source_key(path, py3langid.__version__ + "|" + ",".join(LANGS))
    if key is None:
        ptc, pc, classes, nextmove, row, output = parsed()
        ident = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)
        ident.set_languages(LANGS)
        return ident
    # The identifier restricted to LANGS (as set_languages makes it) with its tables memory-
    # mapped: unpickling the whole model (68 MB) took 0.3 s and 80 MB of every cold search,
    # while a query walks a few hundred of its states.  A memoryview of the mapped arrays is
    # indexed to Python ints, as the arrays of the parsed model are.
    def restricted():
        ptc, pc, classes, nextmove, row, output = parsed()
        full = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)
        full.set_languages(LANGS)
        return full
    ptc = mapped_array("langid-ptc", key, lambda: np.ascontiguousarray(restricted().nb_ptc))
    small = cached_value("langid-small", key, lambda: (restricted().nb_pc, restricted().nb_classes))
    nextmove = mapped_array("langid-nextmove", key, lambda: np.frombuffer(parsed()[3], np.uint32))
    row = mapped_array("langid-row", key, lambda: np.frombuffer(parsed()[4], np.uint16))
    output = mapped_array("langid-output", key, lambda: np.asarray(parsed()[5], np.int32))
    return LanguageIdentifier(ptc, small[0], small[1], memoryview(nextmove), memoryview(output),
                              norm_probs=True, tk_row=memoryview(row))


def _script(text: str) -> str | None:
    """Language implied by a non-Latin script, if the text is mostly in it."""
    if _ARABIC.search(text):
        if _URDU.search(text):
            return "ur"
        persian = len(_PERSIAN.findall(text))
        return "fa" if persian >= 2 and persian * 20 >= len(_ARABIC.findall(text)) else "ar"
    for rx, lang in ((_HEBREW, "he"), (_KANA, "ja"), (_HANGUL, "ko"), (_HAN, "zh"),
                     (_GREEK, "el"), (_CYRILLIC, "ru")):
        if rx.search(text):
            return lang
    return None


def _dominant_script(text: str) -> str | None:
    if text.isascii():
        return None
    letters = _LETTERS.findall(text)
    if not letters:
        return None
    non_latin = [c for c in letters if not ("a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f")]
    if len(non_latin) * 2 < len(letters):
        return None
    return _script("".join(non_latin))


def _without_names(text: str) -> str:
    """A short query without its names, so that its language is told by its words: the
    capitalized words after the first ("otages In Amenas": "In" is part of a place name, not
    the English preposition), when some lowercase word remains."""
    words = list(_WORD.finditer(text))
    if len(words) >= SHORT or not any(w.group().islower() for w in words):
        return text
    names = [w for w in words[1:] if w.group()[0].isupper()]
    if not names:
        return text
    out, pos = [], 0
    for w in names:
        out.append(text[pos:w.start()])
        pos = w.end()
    return "".join(out) + text[pos:]


@lru_cache(maxsize=1)
def _dictionary():
    from dalil.text.dictionary import Dictionary
    return Dictionary()


def _french_only(word: str) -> bool:
    """A word of the French dictionary that does not translate to itself (otages → hostages;
    not "sanctions", which English writes alike)."""
    if len(word) < 4:
        return False
    senses = _dictionary().lookup(word, "fr")
    return bool(senses) and word not in {s.lower() for s in senses}


def _script_of_words(text: str) -> str | None:
    """The language of a short query's words when they are all in one non-Latin script and
    its Latin-script words are all capitalized, names ("هجوم Benghazi", "رهائن In Amenas":
    Arabic; the place name does not make it English)."""
    words = _WORD.findall(text)
    if len(words) >= SHORT:
        return None
    latin = [w for w in words if all("a" <= c.lower() <= "z" or "\u00c0" <= c <= "\u024f" for c in w)]
    if len(latin) == len(words) or any(not w[0].isupper() for w in latin):
        return None
    return _script(" ".join(w for w in words if w not in latin))


# A short Latin-script query's words, its names set aside, classified as one of these languages
# with this confidence (and English all but ruled out) are in that language ("secuestro
# Benghazi": Spanish).  Dutch and the rest stay out: the classifier reads single English words
# as Dutch ("weekend"); of 3,000 frequent corpus words, 6 reach 0.8 in another language, all
# names or Dutch/German readings.
BY_WORDS = ("fr", "es", "it", "pt", "de")
WORDS_CONFIDENT = 0.8
WORDS_NOT_ENGLISH = 0.05


def _lang_of_words(text: str) -> str | None:
    stripped = _without_names(text)
    if stripped == text or not stripped.strip():
        return None
    ranked = dict(_identifier().rank(stripped))
    best = max(BY_WORDS, key=lambda lang: ranked.get(lang, 0.0))
    total = sum(ranked.values()) or 1.0
    if ranked[best] / total >= WORDS_CONFIDENT and ranked.get("en", 0.0) / total < WORDS_NOT_ENGLISH:
        return best
    return None


def detect_lang(text: str) -> str:
    """ISO 639-1 code of `text` ('ar', 'fr', 'en', ...), or 'und' when there is too little to tell."""
    script = _dominant_script(text) or _script_of_words(text)
    if script:
        # Cyrillic is shared by many languages; let the classifier pick among ru/uk.
        if script != "ru":
            return script
    words = [w.lower() for w in _WORD.findall(text)]
    if not words or sum(len(w) for w in words) < 3:
        return "und"
    lang, prob = _identifier().classify(text)
    if script == "ru":
        return lang if lang in ("ru", "uk") else "ru"
    if lang not in ("en", "fr") and prob >= CONFIDENT and len(words) >= 10:
        return lang   # a sentence of Spanish or Turkish: "de", "que", a "ç" must not make it French
    # Stopwords are counted outside names: "In" of "otages In Amenas" is no English word.
    words = [w.lower() for w in _WORD.findall(_without_names(text))]
    en = sum(w in _EN_STOP for w in words)
    fr = sum(w in _FR_STOP for w in words) + len(_FR_MARKS.findall(text))
    es = sum(w in _ES_STOP for w in words) + len(_ES_MARKS.findall(text))
    if es >= 2 and es > max(en, fr):
        return "es"
    if fr > en and fr >= 1:
        return "fr"
    if en > fr and en >= 1 and lang != "en" and prob < 0.9:
        return "en"
    if len(words) < 10 and prob < 0.95:
        # Short Latin-script text is mostly names; the classifier drifts to nl/id/es/it on them.
        # Between the two Latin-script query languages, take the one the classifier prefers.
        if words and all(_french_only(w) for w in words):
            return "fr"     # "otages In Amenas": its one word is French, the rest a name
        by_words = _lang_of_words(text)
        if by_words:
            return by_words
        ranked = dict(_identifier().rank(text))
        return "fr" if ranked["fr"] > ranked["en"] * 1.5 else "en"
    return lang


_NON_ENGLISH_LETTER = re.compile(r"[^\x00-\x7f\u2000-\u206f\u00a0-\u00bf\u2190-\u25ff\u00d7\u00f7]")


_EN_STOP_RE = re.compile(r"\b(?:" + "|".join(sorted(_EN_STOP, key=len, reverse=True)) + r")\b")


# For ASCII text, str.translate + split finds the same words as the regexes, 3x faster (hot at ingest).
_ASCII_LETTERS_ONLY = {c: " " for c in range(128) if not chr(c).isalpha()}
_ASCII_WORD_CHARS_ONLY = {c: " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}


def clearly_english(text: str) -> bool:
    """A cheap test that settles most of an English archive without the classifier: Latin
    letters without accents (typographic dashes and bullets allowed), and at least one English
    stopword in ten words."""
    if not text.isascii():
        if _NON_ENGLISH_LETTER.search(text):
            return False
        lower = text.lower()
        n_words = len(_WORD.findall(lower))
        return n_words >= 20 and len(_EN_STOP_RE.findall(lower)) * 10 >= n_words
    lower = text.lower()
    n_words = len(lower.translate(_ASCII_LETTERS_ONLY).split())         # runs of letters
    if n_words < 20:
        return False
    # A stopword counts as a whole \w+ run, as `\bthe\b` would.
    return sum(1 for w in lower.translate(_ASCII_WORD_CHARS_ONLY).split() if w in _EN_STOP) * 10 >= n_words


def document_languages(text: str, pages: list[tuple[int, int]], sample: int = 600) -> tuple[str, dict[int, str]]:
    """The language of a document and of each page that has enough text (several languages in one
    document are allowed).  Detected from the text itself, never from metadata."""
    page_langs: dict[int, str] = {}
    for number, (start, end) in enumerate(pages or [(0, len(text))], start=1):
        if clearly_english(text[start:min(end, start + sample)]):
            page_langs[number] = "en"
            continue
        chunk = text[start:min(end, start + 1500)]           # the classifier wants more text
        if len(_LETTERS.findall(chunk[:400])) >= 40:          # enough text to judge
            page_langs[number] = detect_lang(chunk)
    counts: dict[str, int] = {}
    for lang in page_langs.values():
        if lang != "und":
            counts[lang] = counts.get(lang, 0) + 1
    main = max(counts, key=counts.get) if counts else "und"
    return main, page_langs


def has_arabic_script(text: str) -> bool:
    """Whether text holds any character of the Arabic script blocks (letters, marks, digits,
    punctuation, presentation forms); `normalize.is_arabic` asks for an Arabic letter."""
    return _ARABIC.search(text) is not None

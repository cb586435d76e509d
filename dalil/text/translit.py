"""Arabic → Latin transliteration aimed at the English spellings of names, not scholarly romanization.

Each Arabic letter has several Latin renderings with a cost; short vowels (unwritten in Arabic)
are guessed between consonants.  A beam keeps the cheapest spellings.  `latin_skeleton` and
`arabic_skeleton` reduce both sides to the same consonant-class key for fuzzy lexicon lookup.
"""
from __future__ import annotations

import heapq
import re

from .normalize import _STRIP_TABLE

# letter: ((latin, cost), ...), cheapest first.  Costs are rough log-odds from English spellings
# of Arabic names and of foreign names written in Arabic (Clinton, Blumenthal, Verveer).
_LETTERS: dict[str, tuple[tuple[str, float], ...]] = {
    "ب": (("b", 0), ("p", 1.5)),
    "پ": (("p", 0),),
    "ت": (("t", 0), ("tt", 1.2)),
    "ث": (("th", 0), ("t", 0.5), ("s", 0.8)),
    "ج": (("j", 0), ("g", 0.5), ("dj", 1.2), ("zh", 1.5)),
    "چ": (("ch", 0),),
    "ح": (("h", 0), ("", 1.0), ("kh", 1.5)),
    "خ": (("kh", 0), ("h", 0.8), ("ch", 1.2)),
    "د": (("d", 0), ("dd", 1.0)),
    "ذ": (("dh", 0), ("d", 0.4), ("dd", 0.8), ("z", 0.8), ("th", 1.2)),
    "ر": (("r", 0), ("rr", 1.4)),
    "ز": (("z", 0), ("s", 0.6)),
    "ژ": (("zh", 0), ("j", 0.5)),
    "س": (("s", 0), ("ss", 1.0), ("c", 1.2)),
    "ش": (("sh", 0), ("ch", 0.9), ("sch", 1.5)),
    "ص": (("s", 0), ("ss", 1.2)),
    "ض": (("d", 0), ("dh", 0.6), ("z", 1.0)),
    "ط": (("t", 0), ("tt", 1.2)),
    "ظ": (("z", 0), ("dh", 0.6), ("th", 1.2)),
    "ع": (("", 0), ("a", 0.5), ("e", 1.0), ("'", 1.5)),
    "غ": (("gh", 0), ("g", 0.3), ("r", 1.8)),
    "ف": (("f", 0), ("v", 0.6), ("ph", 1.4)),
    "ڤ": (("v", 0),),
    "ق": (("q", 0), ("k", 0.5), ("g", 0.7), ("c", 1.2)),
    "ك": (("k", 0), ("c", 0.4), ("ck", 1.2), ("ch", 1.4)),
    "گ": (("g", 0),),
    "ل": (("l", 0), ("ll", 0.8)),
    "م": (("m", 0), ("mm", 1.4)),
    "ن": (("n", 0), ("nn", 1.4)),
    "ه": (("h", 0), ("", 0.8)),
    "ء": (("", 0), ("'", 1.0)),
    "ا": (("a", 0), ("e", 0.8), ("o", 1.2), ("aa", 1.5)),
    "و": (("o", 0.2), ("u", 0.2), ("w", 0.4), ("ou", 0.9), ("v", 1.2), ("oo", 1.4)),
    "ي": (("i", 0.1), ("y", 0.3), ("e", 0.5), ("ee", 1.2), ("ie", 1.3), ("ai", 1.5)),
    "ة": (("a", 0), ("ah", 0.5), ("e", 1.0), ("at", 1.2)),
}
# Hamza-bearing and variant forms map onto the table above, with their own first guesses.
_ALIASES = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ک": "ك", "ی": "ي"}
_INITIAL = {
    "ا": (("a", 0), ("e", 0.5), ("i", 0.7), ("o", 1.0), ("", 1.2)),
    "إ": (("i", 0), ("e", 0.3), ("a", 1.0)),
    "أ": (("a", 0), ("o", 0.6), ("e", 0.8), ("u", 1.0)),
    "آ": (("a", 0),),
    "ع": (("a", 0), ("e", 0.5), ("o", 0.8), ("i", 1.0), ("", 1.5)),
    "و": (("w", 0), ("v", 0.6), ("o", 1.0), ("u", 1.2)),
    "ي": (("y", 0), ("i", 0.8), ("j", 1.0)),
}
_FINAL = {
    "ي": (("i", 0), ("y", 0.4), ("ee", 1.0), ("e", 1.0), ("ey", 1.3)),
    "ه": (("h", 0), ("a", 0.4), ("ah", 0.8), ("e", 1.0)),
    "و": (("o", 0), ("u", 0.3), ("ou", 0.8), ("w", 1.0)),
    "ا": (("a", 0), ("ah", 1.0)),
}
_WAW_AFTER_VOWEL = (("w", 0.3), ("v", 0.5), ("o", 0.6), ("u", 0.6), ("ou", 1.0))
_VOWEL_LETTERS = set("اأإآوؤيئىة")
# Short vowel guessed between two consonants: none (consonant cluster) or one of a/e/i/o/u.
_SHORT_VOWELS = (("", 0.35), ("a", 0.4), ("e", 0.5), ("i", 0.8), ("o", 0.9), ("u", 0.9))
_FINAL_GAP_PENALTY = 0.4  # names rarely end in consonant-vowel-consonant that Arabic leaves unwritten
# Only the bare article: بال/لل-initial words are as often names (بالدرستون, Balderston).
_ARTICLE = re.compile(r"^(?:ال|وال)(?=...)")
_SOFT_C = re.compile(r"c(?=[eiy])")


def _options(token: str, i: int) -> tuple[tuple[str, float], ...]:
    ch = token[i]
    if i == 0 and ch == "ع" and len(token) > 1 and token[1] in _VOWEL_LETTERS:
        return (("", 0), ("a", 0.8))  # عا / عي / عو: the vowel letter carries the sound
    if i == 0 and ch in _INITIAL:
        return _INITIAL[ch]
    base = _ALIASES.get(ch, ch)
    if i == len(token) - 1 and base in _FINAL:
        return _FINAL[base]
    if base == "و" and i > 0 and _ALIASES.get(token[i - 1], token[i - 1]) in "اي":
        return _WAW_AFTER_VOWEL        # a consonant there: Persian سالیوان (Sullivan), دیوید (David)
    return _LETTERS.get(base, ((ch, 0),))


def _beam(token: str, width: int) -> list[tuple[float, str]]:
    beam: list[tuple[float, str]] = [(0.0, "")]
    for i, ch in enumerate(token):
        opts = _options(token, i)
        nxt: dict[str, float] = {}
        # An initial و or ي is a consonant (وليد, Walid; يزيد, Yazid): a short vowel may follow it.
        vowel_gap = (i > 0 and ch not in _VOWEL_LETTERS and token[i - 1] not in "عء"
                     and (token[i - 1] not in _VOWEL_LETTERS or (i == 1 and token[0] in "وي")))
        gaps = _SHORT_VOWELS if vowel_gap else (("", 0.0),)
        if vowel_gap and i == len(token) - 1:
            gaps = tuple((v, c + _FINAL_GAP_PENALTY if v else c) for v, c in gaps)
        for cost, prefix in beam:
            for v, vc in gaps:
                for lat, lc in opts:
                    cand = prefix + v + lat
                    c = cost + vc + lc
                    if c < nxt.get(cand, 1e9):
                        nxt[cand] = c
        beam = heapq.nsmallest(width, ((c, s) for s, c in nxt.items()))
    return beam


def arabic_to_latin_candidates(token: str, limit: int = 20) -> list[str]:
    """Up to `limit` lower-case Latin spellings of an Arabic word, most plausible first (each with
    its x-spelling after it where it has a ks).

    The article ال is dropped (English spellings of names mostly omit it: Qaddafi, not al-Qaddafi).
    """
    token = token.translate(_STRIP_TABLE).strip()
    core = _ARTICLE.sub("", token)
    scored = _beam(core, max(limit * 4, 40))
    out = list(dict.fromkeys(s for _, s in sorted(scored) if s))[:limit]
    # كس is how Arabic writes an English x (بوكسر, Boxer; تكساس, Texas); اي the sound English
    # spells i-e or ei (كورزاين, Corzine; كلاين, Klein; فاينستاين, Feinstein).
    return list(dict.fromkeys(v for s in out for v in _spellings(s)))


_LONG_I = re.compile(r"a[iy](?=[bcdfgklmnprstvz]$)")


def _spellings(s: str) -> tuple[str, ...]:
    out = [s, s.replace("ks", "x")] if "ks" in s else [s]
    if _LONG_I.search(s):
        out.append(_LONG_I.sub("i", s) + "e")                    # korzain → korzine
    if "ai" in s or "ay" in s:
        out.append(s.replace("ai", "ei").replace("ay", "ei"))    # klain → klein
    return tuple(dict.fromkeys(out))


_LATIN_CLASS = str.maketrans({
    "b": "B", "p": "B", "f": "F", "v": "F", "k": "K", "q": "K", "g": "K", "c": "K", "j": "K",
    "x": "K", "d": "T", "t": "T", "z": "T", "s": "T", "l": "L", "r": "R", "m": "M", "n": "N",
})
_LATIN_DROP = re.compile(r"[aeiouyhw'\W\d_]+")
_ARABIC_CLASS = {
    "ب": "B", "پ": "B", "ف": "F", "ڤ": "F", "ك": "K", "ک": "K", "ق": "K", "گ": "K", "ج": "K",
    "غ": "K", "خ": "K", "چ": "K", "د": "T", "ت": "T", "ط": "T", "ث": "T", "ذ": "T", "ظ": "T",
    "ض": "T", "ز": "T", "ژ": "T", "س": "T", "ص": "T", "ش": "T", "ل": "L", "ر": "R", "م": "M",
    "ن": "N",
}
_REPEAT = re.compile(r"(.)\1+")


def latin_skeleton(word: str) -> str:
    """Consonant-class key of a Latin word: vowels, h, w, y dropped; similar consonants merged."""
    w = _SOFT_C.sub("s", word.lower().replace("ph", "f").replace("ck", "k").replace("x", "ks"))   # Boxer: بوكسر
    return _REPEAT.sub(r"\1", _LATIN_DROP.sub("", w).translate(_LATIN_CLASS)).upper()


_SILENT_GH = re.compile(r"(?<=[aeiou])gh")


def latin_skeletons(word: str) -> set[str]:
    """All plausible keys of a Latin word: `ch` is read both as k (Christopher) and sh (Rachel);
    a `gh` after a vowel both as غ (Baghdad) and silent, as Arabic spells English names
    (Naughton نوتون, Wright رايت, Hughes هيوز)."""
    keys = {latin_skeleton(word)}
    if "ch" in word.lower():
        keys.add(latin_skeleton(word.lower().replace("ch", "sh")))
        if "tch" in word.lower():        # Mitchell: the t is silent (Persian میچل)
            keys |= {latin_skeleton(word.lower().replace("tch", "ch")), latin_skeleton(word.lower().replace("tch", "sh"))}
    if _SILENT_GH.search(word.lower()):
        keys.add(latin_skeleton(_SILENT_GH.sub("", word.lower())))
    return keys


def arabic_skeleton(token: str, consonant_waw: bool = False) -> str:
    """Consonant-class key of an Arabic word (article dropped), comparable to `latin_skeleton`;
    with `consonant_waw`, a و that starts the word or follows a long vowel is read as v."""
    core = _ARTICLE.sub("", token.translate(_STRIP_TABLE))
    return _REPEAT.sub(r"\1", "".join(
        "F" if consonant_waw and c in "وؤ" and (i == 0 or core[i - 1] in "اآيی") and i < len(core) - 1
        else _ARABIC_CLASS.get(c, "") for i, c in enumerate(core)))


def arabic_skeletons(token: str) -> set[str]:
    """Both keys of an Arabic-script word: و as a vowel (Arabic سوليفان, Sullivan) and, where it
    may be a consonant, as v — how Persian and many Arabic spellings write a foreign v (Persian
    سالیوان, Sullivan; ورما, Verma; لاوروف, Lavrov)."""
    return {arabic_skeleton(token), arabic_skeleton(token, consonant_waw=True)}

"""Arabic → Latin transliteration aimed at the English spellings of names, not scholarly romanization.

Each Arabic letter has several Latin renderings with a cost; short vowels (unwritten in Arabic)
are guessed between consonants.  A beam keeps the cheapest spellings.  `latin_skeleton` and
`arabic_skeleton` reduce both sides to the same consonant-class key for fuzzy lexicon lookup.
"""
from __future__ import annotations

import heapq
import re
from functools import lru_cache
from pathlib import Path

from .datafile import tsv_rows
from .normalize import _STRIP_TABLE

RENDERINGS = Path(__file__).with_name("data") / "transliteration.tsv"


@lru_cache(maxsize=1)
def letter_renderings() -> dict[str, dict[str, tuple[tuple[str, float], ...]]]:
    """data/transliteration.tsv, read once: position (any, initial, final, after_vowel) → Arabic
    letter → its (Latin, cost) renderings, cheapest first."""
    out: dict[str, dict[str, list[tuple[str, float]]]] = {}
    for position, letter, latin, cost in tsv_rows(RENDERINGS):
        out.setdefault(position, {}).setdefault(letter, []).append((latin, float(cost) if "." in cost else int(cost)))
    return {p: {letter: tuple(opts) for letter, opts in table.items()} for p, table in out.items()}


_LETTERS = letter_renderings()["any"]
# Hamza-bearing and variant forms map onto the table above, with their own first guesses.
_ALIASES = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ک": "ك", "ی": "ي"}
_INITIAL = letter_renderings()["initial"]
_FINAL = letter_renderings()["final"]
_WAW_AFTER_VOWEL = letter_renderings()["after_vowel"]["و"]
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

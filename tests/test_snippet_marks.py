"""MarkPattern (dalil.search.snippets): the same matches as the plain case-insensitive regex of
the marks, on the lower-cased text the snippets are cut from."""
from __future__ import annotations

import random
import re

import pytest

from dalil.search.lexical import _mark
from dalil.search.snippets import MarkPattern, make_snippet


def spans(pattern, hay):
    return [m.span() for m in pattern.finditer(hay)]


def reference(marks):
    return re.compile("|".join(f"(?:{m})" for m in marks), re.I)


WORD = r"(?<!\w)(?:libya|libva|llbya)(?!\w)"
PHRASE = _mark("prime") + r"\W+" + _mark("minister")


@pytest.mark.parametrize("marks,text", [
    ([WORD], "xlibya libya, _libya libya_ 2libya llbya."),          # the lookbehind fails, then holds
    ([WORD, PHRASE], "the prime  minister of libya; primeminister; prime-minister"),
    ([r"(?<!\w)(?:ab)(?!\w)"], "aab ab bab ab"),                      # a failed start inside a match
    ([r"(?<!\w)(?:ab|abab)(?!\w)"], "abab ab xabab"),                 # alternation order kept
    ([WORD, r"\w*ليبي\w*"], "وليبيا libya"),                        # a mark without the lookbehind
    ([r"(?<!\w)(?:sulliv)\w*"], "sullivan's sullivan1 asullivan"),  # prefix mark
])
def test_same_matches_as_the_regex(marks, text):
    hay = text.lower()
    assert spans(MarkPattern(marks), hay) == spans(reference(marks), hay)


def test_random_texts():
    rng = random.Random(11)
    alphabet = "ab _-.\n1éل"
    marks = [r"(?<!\w)(?:ab|ba|a b)(?!\w)", r"(?<!\w)(?:aa)(?!\w)"]
    fast, slow = MarkPattern(marks), reference(marks)
    for _ in range(2000):
        hay = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert spans(fast, hay) == spans(slow, hay), hay


def test_snippet_is_unchanged(corpus_doc):
    text = corpus_doc("C05778768").read_text(encoding="utf-8")
    marks = [_mark("qaddafi"), _mark("air") + r"\W+" + _mark("force")]
    assert make_snippet(text, MarkPattern(marks)) == make_snippet(text, reference(marks))
    assert make_snippet(text, MarkPattern(marks)).highlights

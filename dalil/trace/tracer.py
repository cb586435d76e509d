"""Trace an article: read it, extract its claims, find evidence for each, judge each."""
from __future__ import annotations

import time
from collections.abc import Callable

from dalil.intel.people import Person
from dalil.model import Deadline
from dalil.search.bridge import Bridged
from dalil.search.dense import VectorIndex
from dalil.store.base import Store
from dalil.trace.article import ArticleError, read_article
from dalil.trace.claims import MAX_CLAIMS, Claim, extract_claims
from dalil.trace.evidence import EvidenceFinder, Retriever
from dalil.trace.report import ClaimResult, TraceReport
from dalil.trace.terms import Term, TermExtractor, bridged_words, with_translations
from dalil.trace.verdict import judge, split_addressee

SUPPORTED_LANGS = {"ar", "fr", "en"}
WORD_CHECK_MIN_DOCS = 1000      # below this, ordinary words are missing from the vocabulary by chance


class Tracer:
    """Holds what is worth keeping warm between articles: the name lexicon and the encoder cache.

    Built by `Archive` from the parts tracing uses: the store, search (`retriever`), the passage
    vectors and their encoder, the people index (`person(name)`, `same_person(a, b)`; None when
    the archive offers none) and the index's document frequencies (`df(term)`)."""

    def __init__(self, store: Store, retriever: Retriever, vectors: VectorIndex,
                 person: Callable[[str], Person | None] | None,
                 same_person: Callable[[str, str], tuple[bool, float]] | None,
                 df: Callable[[str], int]):
        self.retriever = retriever
        self.person = person
        self.same_person = same_person
        self.df = df
        self.terms = TermExtractor.for_store(store, retriever.names())
        self.finder = EvidenceFinder(store, retriever, vectors, person, df)
        # Languages whose plain words the archive's vocabulary covers: a word no document of a
        # large enough archive holds ("dengue") says the claim is about something else.
        self.languages = archive_languages(store) if store.document_count() >= WORD_CHECK_MIN_DOCS else set()

    def name_score(self, word: str) -> float:
        """The name lexicon's best score for a word (0 when it reads as no name)."""
        found = self.terms.lexicon.lookup(word, 1)
        return found[0][1] if found else 0.0

    def bridge(self, claim: Claim) -> Bridged | None:
        """The search bridge's English reading of a claim's words, where the archive has one
        (vectors built) and the claim is not English; None otherwise or when the bridge's
        vocabulary is damaged (the claim then keeps its names only)."""
        if claim.lang == "en" or not self.retriever.dense():
            return None
        try:
            return self.retriever.bridge(claim.text, claim.lang)
        except (OSError, ValueError, RuntimeError):
            return None

    def trace(self, data: str | bytes, name: str | None = None, max_claims: int = MAX_CLAIMS,
              every_sentence: bool = False, progress: Callable[[int, int], None] | None = None,
              deadline: Deadline | None = None) -> TraceReport:
        """`every_sentence`: trace each sentence, checkable or not (a list of claims, not an article);
        `progress(claims traced, claims)` before the first claim and after each.  Once `deadline`
        has passed, no further claim is begun: the report holds those traced and says `partial`."""
        t0 = time.perf_counter()
        article = read_article(data, name)
        skipped: list[dict] = []
        claims, total = extract_claims(article.text, article.lang, limit=max_claims, every_sentence=every_sentence,
                                       skipped=skipped)
        notes = []
        if article.truncated:
            notes.append("The input was larger than 8 MB; only its beginning was read.")
        if not claims:
            raise ArticleError("no checkable claim found: no sentence attributes something to a document "
                               "or states a fact with names, dates or numbers")
        if total > len(claims):
            notes.append(f"{total} checkable claims found; only the first {len(claims)} were traced.")
        if article.lang not in SUPPORTED_LANGS and article.lang != "und":
            notes.append(f"The article's language ({article.lang}) is not one dalil is tuned for; it was traced "
                         "with the multilingual model and names matched by spelling, so expect lower recall.")
        results = []
        for n, claim in enumerate(claims):
            if deadline is not None and deadline.passed():
                notes.append(f"The time budget ran out: {n} of {len(claims)} claims were traced.")
                break
            if progress:
                progress(n, len(claims))
            terms = self.terms.terms(claim.text)
            claim.meta = split_addressee(claim.meta, self.person, self.name_score)
            bridged = self.bridge(claim)
            translated = translated_terms(terms, claim.text, bridged)
            evidence = self.finder.find(claim.text, translated, claim.meta, claim.lang, bridged)
            verdict = judge(claim.text, bridged_words(terms, translated), claim.meta, evidence, self.same_person,
                            self.df, self.person, claim.own_lang in self.languages, claim.own_lang)
            results.append(ClaimResult(claim, terms, evidence, verdict))
        if progress:
            progress(len(claims), len(claims))
        return TraceReport(article, results, notes, seconds=time.perf_counter() - t0, skipped=skipped,
                           partial=len(results) < len(claims), claims_found=len(claims))


def translated_terms(terms: list[Term], text: str, bridged: Bridged | None) -> list[Term]:
    """The claim's terms with its words translated by the search bridge (`bridged`: the
    bridge's reading of the claim, None where there is none)."""
    return terms if bridged is None else with_translations(terms, text, bridged.sources)


def archive_languages(store: Store, share: float = 0.05) -> set[str]:
    """Languages of at least `share` of the archive's documents."""
    counts = store.language_counts()
    total = sum(counts.values()) or 1
    return {lang for lang, n in counts.items() if n / total >= share and lang != "und"}

"""Trace an article: read it, extract its claims, find evidence for each, judge each."""
from __future__ import annotations

import time

from dalil.text.lang import detect_lang
from dalil.trace.article import ArticleError, read_article
from dalil.trace.claims import MAX_CLAIMS, extract_claims
from dalil.trace.evidence import EvidenceFinder, query_text
from dalil.trace.report import ClaimResult, TraceReport
from dalil.trace.terms import TermExtractor, bridged_words, with_translations
from dalil.trace.verdict import judge, split_addressee

SUPPORTED_LANGS = {"ar", "fr", "en"}
WORD_CHECK_MIN_DOCS = 1000      # below this, ordinary words are missing from the vocabulary by chance


class Tracer:
    """Holds what is worth keeping warm between articles: the name lexicon and the encoder cache."""

    def __init__(self, archive):
        self.archive = archive
        names = None
        if archive.vectors.dir.exists() and (archive.vectors.dir / "names.json").exists():
            names = archive.hybrid.bridge.lexicon
        self.terms = TermExtractor.for_store(archive.store, names)
        self.finder = EvidenceFinder(archive)
        # Languages whose plain words the archive's vocabulary covers: a word no document of a
        # large enough archive holds ("dengue") says the claim is about something else.
        self.languages = archive_languages(archive.store) if _documents(archive.store) >= WORD_CHECK_MIN_DOCS else set()

    def _name_score(self, word: str) -> float:
        found = self.terms.lexicon.lookup(word, 1)
        return found[0][1] if found else 0.0

    def _translated(self, terms: list, text: str, lang: str) -> list:
        """The claim's terms with its words translated by the archive's search bridge, where the
        archive has one (vectors built) and the claim is not English."""
        if lang == "en" or not self.archive.vectors.exists():
            return terms
        try:
            sources = self.archive.hybrid.bridge.bridge(query_text(text), lang).sources
        except (OSError, ValueError, RuntimeError):     # a damaged vocabulary: names only
            return terms
        return with_translations(terms, text, sources)

    def trace(self, data: str | bytes, name: str | None = None, max_claims: int = MAX_CLAIMS,
              every_sentence: bool = False) -> TraceReport:
        """`every_sentence`: trace each sentence, checkable or not (a list of claims, not an article)."""
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
        people = _people_matcher(self.archive)
        df = self.archive.lexical.spelling.df
        results = []
        resolve = getattr(self.archive, "person", None)
        for claim in claims:
            terms = self.terms.terms(claim.text)
            claim.meta = split_addressee(claim.meta, resolve, self._name_score)
            translated = self._translated(terms, claim.text, claim.lang)
            evidence = self.finder.find(claim.text, translated, claim.meta)
            if evidence:
                doc = self.archive.store.document(evidence[0].doc_id)
                evidence[0].messages = doc["messages"] if doc else []
            lang = detect_lang(claim.text)
            verdict = judge(claim.text, bridged_words(terms, translated), claim.meta, evidence, people, df, resolve,
                            lang in self.languages, lang)
            results.append(ClaimResult(claim, terms, evidence, verdict))
        return TraceReport(article, results, notes, seconds=time.perf_counter() - t0, skipped=skipped)


def _documents(store) -> int:
    return store.db.execute("SELECT count(*) FROM documents").fetchone()[0]


def archive_languages(store, share: float = 0.05) -> set[str]:
    """Languages of at least `share` of the archive's documents."""
    rows = store.db.execute("SELECT lang, count(*) FROM documents WHERE lang IS NOT NULL GROUP BY lang").fetchall()
    total = sum(n for _, n in rows) or 1
    return {lang for lang, n in rows if n / total >= share and lang != "und"}


def _people_matcher(archive):
    """`same_person(a, b)` from people resolution when the archive offers it."""
    same = getattr(archive, "same_person", None)
    return same if callable(same) else None

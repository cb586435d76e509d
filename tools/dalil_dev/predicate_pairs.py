"""`dalil_dev predicate-pairs` / `predicate-fit`: learn how well a passage states a claim's predicate
from pairs made automatically from corpus sentences, never from evaluation items.

Pairs.  A sentence is drawn from a random archive document (one per document, 10-45 words, at
least one name, no header line).  The claim is that sentence reworded: every third word that is
not a name, number or date dropped, so that it is not a verbatim copy.  It is traced by the
archive's own evidence finder, once:
- "stated" (label 1): the evidence as found, when its first item is the sentence's document or a
  copy of it (the passage that states it was reachable);
- "not stated" (label 0): the same ranked evidence without every document that holds the
  sentence (its document, its copies): the actors, places and topic are still in the archive,
  but no passage left states the predicate.  This is the realistic absent claim (an event that
  did not happen, between people who do correspond), not a claim with a word no document holds.
- "slot changed" (label 1 for the predicate, kept apart in the file): the reworded sentence with
  one of its names replaced by a name from another drawn sentence; the predicate is still stated
  (that is a conflict of a slot, not an absent predicate), so the scorer must not call it absent.

Fit.  A logistic regression (numpy, Newton steps, L2) over the features of the first evidence
item that `features.py` computes for every claim: sentence similarity, predicate similarity (the
claim and its quote without their shared names, numbers and dates), the gap between the two,
passage similarity, and term coverage in the window and the document.  Cross-validated by
document (5 folds) on the pairs; the weights go into dalil/trace/verdict_model.json under
"predicate" with how they were fitted.  The pairs the stored weights were fitted on are kept in
tools/dalil_dev/data/predicate-pairs.jsonl.gz (drawn from the full corpus, seed 20261207).
"""
from __future__ import annotations

import gzip
import json
import random
import re
import time
from pathlib import Path

import numpy as np

from dalil.trace.verdict import PREDICATE_FEATURES as FEATURES
from dalil.trace.verdict import predicate_vector as _vector

_HEADER = re.compile(r"(?i)\b(?:from|sent|to|cc|subject|date)\s*:|@|\bcase no\b|\bdoc no\b|unclassified")
_WORD = re.compile(r"\S+")


def _sentences(text: str) -> list[str]:
    from dalil.trace.evidence import source_sentences
    out = []
    for a, b in source_sentences(text, 0, len(text)):
        s = " ".join(text[a:b].split())
        n = len(s.split())
        if 10 <= n <= 45 and not _HEADER.search(s) and sum(c.isalpha() for c in s) > 0.7 * len(s):
            out.append(s)
    return out


def reworded(sentence: str, terms, rng: random.Random) -> str:
    """The sentence with every third word that no name, number or date term covers dropped."""
    kept = []
    protected = [(t.start, t.end) for t in terms if t.kind in ("name", "number", "date")]
    n = 0
    for m in _WORD.finditer(sentence):
        inside = any(a < m.end() and m.start() < b for a, b in protected)
        n += not inside
        if inside or n % 3 != rng.randrange(3) or len(m.group()) <= 2:
            kept.append(m.group())
    return " ".join(kept)


_TABLES: dict[str, dict[str, str]] = {}


def _table(lang: str) -> dict[str, str]:
    """English word → its first translation in the FreeDict English→`lang` dictionary."""
    if lang not in _TABLES:
        from dalil.text.dictionary import read_dict
        name = {"ar": "freedict-eng-ara", "fr": "freedict-eng-fra"}[lang]
        table: dict[str, str] = {}
        for head, senses in read_dict(name):
            sense = next((re.split(r"[,;(]", s)[0].strip() for s in senses if s.strip()), "")
            if sense and " " not in head.strip():
                table.setdefault(head.strip().lower(), sense)
        _TABLES[lang] = table
    return _TABLES[lang]


def translated(sentence: str, terms, lang: str) -> str | None:
    """A word-by-word rendering of an English sentence in `lang` through the dictionary: names,
    numbers and dates kept as written, other words by their first sense (plural, -ed and -ing
    forms looked up by their base), words with no entry dropped.  None when under half the
    plain words translate (the rendering would be mostly holes)."""
    table = _table(lang)
    protected = [(t.start, t.end) for t in terms if t.kind in ("name", "number", "date")]
    out, plain, done = [], 0, 0
    for m in re.finditer(r"[^\W_]+|\d[\d,.]*", sentence):
        if any(a < m.end() and m.start() < b for a, b in protected):
            out.append(m.group())
            continue
        plain += 1
        w = m.group().lower()
        sense = next((table[k] for k in (w, w[:-1], w[:-2], w[:-3], w[:-2] + "e", w[:-3] + "e")
                      if len(k) >= 3 and k in table), None) if len(w) > 2 else None
        if sense:
            out.append(sense)
            done += 1
    return " ".join(out) if plain and done >= plain / 2 else None


def make_pairs(archive, n_docs: int, seed: int, out: Path, budget_s: float) -> int:
    """Draw sentences and trace them (see the module docstring); one JSON line per pair."""
    from dalil.trace.features import claim_features
    tracer = archive.tracer
    store = archive.store
    rng = random.Random(seed)
    top = store.max_doc_row()
    t0 = time.perf_counter()
    written = 0
    other_names: list[str] = []
    with open(out, "w", encoding="utf-8") as fh:
        tried = 0
        used = 0
        while used < n_docs and tried < 20 * n_docs and time.perf_counter() - t0 < budget_s:
            tried += 1
            row = rng.randint(1, top)
            ids = store.doc_ids_of([row])
            if row not in ids:
                continue
            doc = store.documents_by_ids([ids[row]]).get(ids[row])
            if not doc or not doc.get("text"):
                continue
            sents = _sentences(doc["text"])
            if not sents:
                continue
            sentence = rng.choice(sents)
            terms = tracer.terms.terms(sentence)
            names = [t for t in terms if t.kind == "name" and len(t.surface) >= 4]
            if not names:
                continue
            lang = doc.get("lang") or "en"
            if lang != "en":
                continue          # the dictionaries render English; other documents' sentences are left
            variants = [("en", reworded(sentence, terms, rng))]
            for other in ("ar", "fr"):
                rendering = translated(sentence, terms, other)
                if rendering:
                    variants.append((other, rendering))
            for claim_lang, claim in variants:
                written += _pair(tracer, fh, rng, ids[row], sentence, claim, claim_lang, names, other_names)
            other_names += [t.surface for t in names]
            used += 1
            fh.flush()
    return written


def _traced(tracer, text: str, lang: str):
    """(terms as the verdict reads them, evidence) of a claim, as `Tracer.trace` finds them."""
    from dalil.trace.terms import bridged_words
    from dalil.trace.tracer import translated_terms
    terms = tracer.terms.terms(text)
    bridged = None
    if lang != "en" and tracer.retriever.dense():
        try:
            bridged = tracer.retriever.bridge(text, lang)
        except (OSError, ValueError, RuntimeError):
            bridged = None
    translated_ = translated_terms(terms, text, bridged)
    evidence = tracer.finder.find(text, translated_, {}, lang, bridged)
    return bridged_words(terms, translated_), evidence


def _pair(tracer, fh, rng, doc_id, sentence, claim, lang, names, other_names) -> int:
    """Write the stated / slot-changed / absent pairs of one claim; how many were written."""
    from dalil.trace.features import claim_features
    ctr, evidence = _traced(tracer, claim, lang)
    written = 0
    if not evidence:
        return 0
    probe = sentence[len(sentence) // 4: len(sentence) // 4 + 40]
    holds = {e.doc_id for e in evidence if probe in " ".join(e.doc_text.split())}
    holds.add(doc_id)
    stating = {d for e in evidence if e.doc_id in holds for d in [e.doc_id, *e.duplicates]}
    base = {"doc": doc_id, "lang": lang, "sentence": sentence, "claim": claim}
    if evidence[0].doc_id in holds:
        f, _, _ = claim_features(claim, ctr, evidence, [])
        fh.write(json.dumps(base | {"kind": "stated", "label": 1, "features": f}) + "\n")
        written += 1
        if other_names and lang == "en":
            # one slot changed: a name of another drawn sentence in place of one of this one's
            t = rng.choice(names)
            swapped = sentence[:t.start] + rng.choice(other_names) + sentence[t.end:]
            sterms, sev = _traced(tracer, swapped, "en")
            if sev and sev[0].doc_id in holds:
                f, _, _ = claim_features(swapped, sterms, sev, [])
                fh.write(json.dumps(base | {"claim": swapped, "kind": "slot", "label": 1, "features": f}) + "\n")
                written += 1
    rest = [e for e in evidence if e.doc_id not in stating and not set(e.duplicates) & stating]
    if rest:
        f, _, _ = claim_features(claim, ctr, rest, [])
        fh.write(json.dumps(base | {"kind": "absent", "label": 0, "features": f}) + "\n")
        written += 1
    return written


def _fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 50) -> np.ndarray:
    """Logistic regression weights (bias last) by Newton steps with an L2 penalty."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = l2 * np.eye(len(w))
    reg[-1, -1] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xb @ w))
        g = xb.T @ (p - y) + reg @ w
        h = (xb * (p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def _auc(scores: np.ndarray, y: np.ndarray) -> float:
    pos, neg = scores[y == 1], scores[y == 0]
    if not len(pos) or not len(neg):
        return 0.0
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg)))


def fit_pairs(path: Path, folds: int = 5, seed: int = 7) -> dict:
    """Weights of P(the passage states the predicate) and their cross-validated quality."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    x = np.array([_vector(r["features"]) for r in rows])
    y = np.array([r["label"] for r in rows], dtype=float)
    docs = sorted({r["doc"] for r in rows})
    random.Random(seed).shuffle(docs)
    fold_of = {d: i % folds for i, d in enumerate(docs)}
    fold = np.array([fold_of[r["doc"]] for r in rows])
    held = np.zeros(len(rows))
    for k in range(folds):
        w = _fit(x[fold != k], y[fold != k])
        held[fold == k] = 1 / (1 + np.exp(-(np.hstack([x[fold == k], np.ones(((fold == k).sum(), 1))]) @ w)))
    w = _fit(x, y)
    kinds = np.array([r["kind"] for r in rows])
    acc = {k: round(float(((held >= 0.5) == (y == 1))[kinds == k].mean()), 3) for k in sorted(set(kinds))}
    sim_only = _auc(x[:, 0], y)
    return {"features": FEATURES, "weights": [round(float(v), 4) for v in w[:-1]], "bias": round(float(w[-1]), 4),
            "fitted_on": f"{path.name}: {len(rows)} pairs from {len(docs)} corpus documents "
                         f"({int(y.sum())} stated incl. slot-changed, {int((1 - y).sum())} absent)",
            "cross_validated": {"folds": folds, "auc": round(_auc(held, y), 3), "auc_sentence_similarity_alone": round(sim_only, 3),
                                "accuracy_at_0.5_by_kind": acc}}




# --- the verdict's floors on the predicate probability ----------------------------------------
NEEDS_MISSING = True
MIN_STATED = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]
PARTLY_STATED = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]


def _decided(items: list[dict], m: dict) -> list[dict]:
    from dalil.trace.verdict import decide
    return [dict(i, pred=decide(i["features"], m)[0]) for i in items]


def _with(m: dict, min_stated: float, partly: float) -> dict:
    return {**m, "thresholds": {**m["thresholds"], "min_stated": min_stated, "partly_stated": partly,
                                 "unstated_needs_missing_fact": NEEDS_MISSING}}


def fit_floors(items: list[dict], m: dict) -> tuple[float, float]:
    """The (min_stated, partly_stated) pair with the best macro-F1 on `items` (ties: the lowest,
    i.e. the one that changes the fewest verdicts)."""
    from tools.dalil_dev.trace_eval import score_items
    best, best_f1 = (0.0, 0.0), -1.0
    for a in MIN_STATED:
        for b in PARTLY_STATED:
            if b and b <= a:
                continue
            f1 = score_items(_decided(items, _with(m, a, b)))["all"]["macro_f1"]
            if f1 > best_f1 + 1e-9:
                best, best_f1 = (a, b), f1
    return best


def floors_report(tuning: list[dict], held: dict[str, list[dict]], m: dict, folds: int = 5) -> tuple[str, tuple]:
    """Floors fitted on the tuning claims (and their 5-fold cross-validated figure there), then
    the figures on each held-out set under those floors and without them."""
    from tools.dalil_dev.fit import FOLDS, SEED
    from tools.dalil_dev.trace_eval import score_items
    by_label: dict[str, list[int]] = {}
    for n, i in enumerate(tuning):
        by_label.setdefault(i["gold"], []).append(n)
    fold_of = {}
    rng = random.Random(SEED)
    for idx in by_label.values():
        rng.shuffle(idx)
        for k, n in enumerate(idx):
            fold_of[n] = k % FOLDS
    out = [None] * len(tuning)
    for k in range(FOLDS):
        a, b = fit_floors([i for n, i in enumerate(tuning) if fold_of[n] != k], m)
        test = [n for n in range(len(tuning)) if fold_of[n] == k]
        for n, p in zip(test, _decided([tuning[n] for n in test], _with(m, a, b))):
            out[n] = p
    chosen = fit_floors(tuning, m)
    lines = [f"floors fitted on {len(tuning)} tuning claims: min_stated={chosen[0]} partly_stated={chosen[1]}"]

    def row(name, s):
        pc = s["all"]["per_class"]
        return (f"{name}: macro-F1 {s['all']['macro_f1']:.3f}  P(supported) {pc['supported']['precision']:.3f}  "
                f"R(not_found) {pc['not_found']['recall']:.3f}  R(contradicted) {pc['contradicted']['recall']:.3f}  "
                f"F1(partly) {pc['partly_supported']['f1']:.3f}")
    lines.append(row("tuning, 5-fold cross-validated", score_items(out)))
    for name, items in held.items():
        lines.append(row(f"{name}, without the floors", score_items(_decided(items, _with(m, 0.0, 0.0)))))
        lines.append(row(f"{name}, with them", score_items(_decided(items, _with(m, *chosen)))))
    return "\n".join(lines), chosen


# --- the review cut: a `supported` verdict whose passage is unlikely to state the predicate -----
REVIEW_CUTS = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5]


def review_brier(items: list[dict], m: dict, cut: float, folds: int = 5, seed: int = 5) -> float:
    """Cross-validated Brier score of "the `supported` verdict is right" predicted by the share
    right of its side of `cut` (P(stated) below / at or above; Laplace-smoothed on the training
    folds), over the items decided `supported`."""
    from dalil.trace.verdict import decide, stated
    sup = [i for i in items if i["features"] and decide(i["features"], m)[0] == "supported"]
    order = list(range(len(sup)))
    random.Random(seed).shuffle(order)
    fold = {n: k % folds for k, n in enumerate(order)}
    low = [stated(i["features"], m) < cut for i in sup]
    right = [i["gold"] == "supported" for i in sup]
    total = 0.0
    for k in range(folds):
        train = [n for n in range(len(sup)) if fold[n] != k]
        rate = {}
        for side in (True, False):
            on = [n for n in train if low[n] == side]
            rate[side] = (sum(right[n] for n in on) + 1) / (len(on) + 2)
        total += sum((rate[low[n]] - right[n]) ** 2 for n in range(len(sup)) if fold[n] == k)
    return total / max(len(sup), 1)


def fit_review_cut(items: list[dict], m: dict) -> tuple[float, list[tuple[float, float]]]:
    """The cut with the lowest cross-validated Brier score (ties: the lowest cut), and the table."""
    table = [(c, round(review_brier(items, m, c), 4)) for c in REVIEW_CUTS]
    best = min(table, key=lambda cb: (cb[1], cb[0]))
    return best[0], table


def review_report(items_by_set: dict[str, list[dict]], m: dict, cut: float) -> list[str]:
    """Per set: `supported` verdicts flagged by the cut and the share of them right, and unflagged."""
    from dalil.trace.verdict import decide, stated
    lines = []
    for name, items in items_by_set.items():
        sup = [i for i in items if i["features"] and decide(i["features"], m)[0] == "supported"]
        low = [i for i in sup if stated(i["features"], m) < cut]
        high = [i for i in sup if stated(i["features"], m) >= cut]

        def share(group):
            return f"{sum(i['gold'] == 'supported' for i in group)}/{len(group)}"
        lines.append(f"{name}: supported verdicts flagged {share(low)} right, unflagged {share(high)} right")
    return lines

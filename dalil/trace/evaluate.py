"""Score claim tracing on the development claims (../shared/eval/claims-dev.jsonl).

Retrieval: a claim's retrieved list is its evidence doc_ids in rank order, each followed by the
duplicates it lists; recall@k = |G ∩ R_k| / min(k, |G|) and hit@k, over supported and partly
supported claims.  Verdicts: accuracy, macro-F1 over the four labels, per-class P/R, by language.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from dalil.trace.article import ArticleError
from dalil.trace.tracer import Tracer

LABELS = ["supported", "partly_supported", "contradicted", "not_found"]
_EVAL_LABEL = {"not_in_corpus": "not_found"}


def default_eval_dir() -> Path:
    env = os.environ.get("DALIL_EVAL_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "eval"


def load_claims(eval_dir: str | Path | None = None) -> list[dict]:
    path = Path(eval_dir or default_eval_dir()) / "claims-dev.jsonl"
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def trace_claim(tracer: Tracer, claim: dict) -> dict:
    """Trace one claim as a one-sentence article: its verdict, features and retrieved doc list."""
    try:
        report = tracer.trace(claim["claim"], max_claims=1, every_sentence=True)
    except ArticleError:
        return {"verdict": "not_found", "docs": [], "features": {}}
    result = report.claims[0]
    docs: list[str] = []
    for e in result.evidence:
        docs += [d for d in [e.doc_id, *e.duplicates] if d not in docs]
    return {"verdict": result.verdict.label, "docs": docs, "features": result.verdict.features}


def trace_items(archive, claims: list[dict]) -> list[dict]:
    """Trace each dev claim; one item per claim with gold and predicted label, docs and features."""
    tracer = archive.tracer
    items = []
    for c in claims:
        t0 = time.perf_counter()
        out = trace_claim(tracer, c)
        items.append({"id": c["id"], "lang": c["lang"], "gold": _EVAL_LABEL.get(c["verdict"], c["verdict"]),
                      "pred": out["verdict"], "gold_docs": c["gold_doc_ids"], "docs": out["docs"],
                      "features": out["features"], "seconds": round(time.perf_counter() - t0, 3)})
    return items


def evaluate(archive, claims: list[dict]) -> dict:
    return score_items(trace_items(archive, claims))


def score_items(items: list[dict]) -> dict:
    seconds = sum(i.get("seconds", 0.0) for i in items)
    scores = {"n": len(items), "seconds_per_claim": round(seconds / max(len(items), 1), 3),
              "all": _scores(items)}
    for lang in sorted({i["lang"] for i in items}):
        scores[lang] = _scores([i for i in items if i["lang"] == lang])
    scores["items"] = items
    return scores


def _scores(items: list[dict]) -> dict:
    ret = [i for i in items if i["gold"] in ("supported", "partly_supported") and i["gold_docs"]]
    out: dict = {"claims": len(items), "retrieval_claims": len(ret)}
    for k in (1, 5):
        out[f"recall@{k}"] = _mean([len(set(i["docs"][:k]) & set(i["gold_docs"])) / min(k, len(i["gold_docs"]))
                                    for i in ret])
        out[f"hit@{k}"] = _mean([bool(set(i["docs"][:k]) & set(i["gold_docs"])) for i in ret])
    out["accuracy"] = _mean([i["pred"] == i["gold"] for i in items])
    f1s, per_class = [], {}
    for label in LABELS:
        tp = sum(i["pred"] == label and i["gold"] == label for i in items)
        pred = sum(i["pred"] == label for i in items)
        gold = sum(i["gold"] == label for i in items)
        p = tp / pred if pred else 0.0
        r = tp / gold if gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_class[label] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "n": gold}
        if gold:
            f1s.append(f)
    out["macro_f1"] = _mean(f1s)
    out["per_class"] = per_class
    return out


def _mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 3) if values else 0.0


def format_table(scores: dict) -> str:
    rows = ["| lang | claims | recall@1 | recall@5 | hit@5 | accuracy | macro-F1 |", "|---|---|---|---|---|---|---|"]
    for lang in ("all", "ar", "fr", "en"):
        s = scores.get(lang)
        if s:
            rows.append(f"| {lang} | {s['claims']} | {s['recall@1']:.3f} | {s['recall@5']:.3f} | {s['hit@5']:.3f} | "
                        f"{s['accuracy']:.3f} | {s['macro_f1']:.3f} |")
    pc = scores["all"]["per_class"]
    rows += ["", "| verdict | n | precision | recall | F1 |", "|---|---|---|---|---|"]
    rows += [f"| {k} | {v['n']} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} |" for k, v in pc.items()]
    rows.append(f"\n{scores['n']} claims, {scores['seconds_per_claim']} s per claim")
    return "\n".join(rows)

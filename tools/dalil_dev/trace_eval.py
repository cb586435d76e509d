"""`dalil_dev trace-eval`: score claim tracing on the development claims (claims-dev.jsonl).

Retrieval: a claim's retrieved list is its evidence doc_ids in rank order, each followed by the
duplicates it lists; recall@k = |G ∩ R_k| / min(k, |G|) and hit@k, over supported and partly
supported claims.  Verdicts: accuracy, macro-F1 over the four labels, per-class P/R, by language.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from dalil import Archive
from dalil.trace import ArticleError

LABELS = ["supported", "partly_supported", "contradicted", "not_found"]
_EVAL_LABEL = {"not_in_corpus": "not_found"}


def load_claims(eval_dir: str | Path) -> list[dict]:
    """The development claims of `eval_dir` (claims-dev.jsonl), one dict per line."""
    return load_claims_file(Path(eval_dir) / "claims-dev.jsonl")


def load_claims_file(path: str | Path) -> list[dict]:
    """The claims of one JSON-lines file, one dict per line."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def split_ids(split_file: str | Path, half: str) -> set[str]:
    """The claim ids of one half ("tuning" or "validation") of a committed split file."""
    return set(json.loads(Path(split_file).read_text(encoding="utf-8"))[half])


def trace_claim(archive: Archive, claim: dict) -> dict:
    """Trace one claim as a one-sentence article: its verdict, features and retrieved doc list."""
    try:
        report = archive.trace(claim["claim"], max_claims=1, every_sentence=True)
    except ArticleError:
        return {"verdict": "not_found", "docs": [], "features": {}}
    result = report.claims[0]
    docs: list[str] = []
    for e in result.evidence:
        docs += [d for d in [e.doc_id, *e.duplicates] if d not in docs]
    return {"verdict": result.verdict.label, "docs": docs, "features": result.verdict.features}


def trace_items(archive: Archive, claims: list[dict]) -> list[dict]:
    """Trace each dev claim; one item per claim with gold and predicted label, docs and features."""
    items = []
    for c in claims:
        t0 = time.perf_counter()
        out = trace_claim(archive, c)
        items.append({"id": c["id"], "lang": c["lang"], "gold": _EVAL_LABEL.get(c["verdict"], c["verdict"]),
                      "pred": out["verdict"], "gold_docs": c["gold_doc_ids"], "docs": out["docs"],
                      "features": out["features"], "seconds": round(time.perf_counter() - t0, 3)})
    return items


def evaluate(archive: Archive, claims: list[dict]) -> dict:
    """Trace the claims and score them (score_items)."""
    return score_items(trace_items(archive, claims))


def score_items(items: list[dict]) -> dict:
    """Scores over all traced items and per language, the items kept under "items"."""
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
    """The scores as the Markdown tables `dalil_dev trace-eval` prints (by language, by verdict)."""
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

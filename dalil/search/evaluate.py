"""`dalil eval`: retrieval quality on the development sets, by language and mode.

Items: every query of queries-dev.jsonl, and the supported + partly_supported claims of
claims-dev.jsonl used as queries.  Metrics per the eval README, with G the gold documents
and R_k the top k documents: recall@k = |G ∩ R_k| / min(k, |G|), hit@k (any gold in R_k),
MRR (1 / rank of the first gold document, 0 when none in the ranked list).

A collapsed hit stands for all copies of its email: the ranked list scored is each hit
followed by its duplicates, in the order shown to the user.
Items none of whose gold documents are in the archive are skipped (subset archives).
Mode "lexical" here is the lexical side of hybrid (all-terms matches, then the bag of native
and bridged terms), not `dalil search --mode lexical`, whose all-terms-must-match semantics
find almost nothing for a sentence-long query.
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

SETS = ("queries", "claims")          # the development sets; a file of one's own is the set "items"
KS = (1, 5, 10)
CLAIM_VERDICTS = ("supported", "partly_supported")


def default_eval_dir() -> Path:
    env = os.environ.get("DALIL_EVAL")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "eval"


@dataclass
class Item:
    id: str
    set: str
    lang: str
    text: str
    gold: list[str]


def load_items(eval_dir: Path, which: str = "both") -> list[Item]:
    items: list[Item] = []
    if which in ("queries", "both"):
        for line in (Path(eval_dir) / "queries-dev.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            items.append(Item(r["id"], "queries", r["lang"], r["query"], r["gold_doc_ids"]))
    if which in ("claims", "both"):
        for line in (Path(eval_dir) / "claims-dev.jsonl").read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r["verdict"] in CLAIM_VERDICTS and r["gold_doc_ids"]:
                items.append(Item(r["id"], "claims", r["lang"], r["claim"], r["gold_doc_ids"]))
    return items


def load_items_file(path: Path) -> list[Item]:
    """Items of one JSON-lines file of one's own: `id`, `lang`, the text as `query` (or `claim`,
    or `text`) and `gold_doc_ids` — e.g. eval/other-languages.jsonl, dev claims translated into
    languages dalil is not tuned for.  Scored as the set "items"."""
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            text = r.get("query") or r.get("claim") or r["text"]
            items.append(Item(str(r["id"]), "items", r["lang"], text, list(r["gold_doc_ids"])))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ValueError(f"{path}, line {n}: not an item (a JSON object with id, lang, query "
                             f"and gold_doc_ids)") from None
    return items


_SYNTAX = re.compile(r'["():*]|(?:^|(?<=\s))-|\bOR\b')


def plain_query(text: str) -> str:
    """Free text (a claim, a sentence) as a query: query-syntax characters become spaces."""
    return _SYNTAX.sub(" ", text)


def ranked_doc_ids(archive, text: str, mode: str, depth: int = 100) -> list[str]:
    h = archive.hybrid
    fused = h.rank(plain_query(text), mode=mode, depth=depth).fused
    groups = h.collapse([d for d, _ in fused])
    rows = [d for g in groups for d in g][:depth]
    if not rows:
        return []
    names = dict(archive.store.db.execute(
        f"SELECT id, doc_id FROM documents WHERE id IN ({','.join('?' * len(rows))})", rows).fetchall())
    return [names[d] for d in rows]


def score(ranked: list[str], gold: list[str]) -> dict[str, float]:
    g = set(gold)
    out = {}
    for k in KS:
        top = ranked[:k]
        found = len(g.intersection(top))
        out[f"recall@{k}"] = found / min(k, len(g))
        out[f"hit@{k}"] = 1.0 if found else 0.0
    first = next((i for i, d in enumerate(ranked) if d in g), None)
    out["mrr"] = 1.0 / (first + 1) if first is not None else 0.0
    return out


def evaluate(archive, items: list[Item], modes: list[str], depth: int = 100) -> dict:
    present = {r[0] for r in archive.store.db.execute("SELECT doc_id FROM documents")}
    usable = []
    for it in items:
        gold = [g for g in it.gold if g in present]
        if gold:
            usable.append(Item(it.id, it.set, it.lang, it.text, gold))
    report: dict = {"items": len(usable), "skipped": len(items) - len(usable), "modes": {}}
    for mode in modes:
        per_item = []
        latencies = []
        for it in usable:
            t0 = time.perf_counter()
            ranked = ranked_doc_ids(archive, it.text, mode, depth)
            latencies.append((time.perf_counter() - t0) * 1000)
            per_item.append((it, score(ranked, it.gold)))
        report["modes"][mode] = {"table": _table(per_item), "ms_mean": round(sum(latencies) / max(len(latencies), 1), 1),
                                 "misses": [it.id for it, s in per_item if not s["hit@10"]]}
    return report


def _table(per_item: list) -> dict:
    """{set: {lang|all: {metric: mean, "n": count}}}, plus "both" over the two sets."""
    out: dict = {}
    sets = list(dict.fromkeys(it.set for it, _ in per_item))
    for set_name in sets + ([] if sets == ["items"] else ["both"]):     # "both": the dev sets together
        rows = [(it, s) for it, s in per_item if set_name == "both" or it.set == set_name]
        if not rows:
            continue
        by: dict = {}
        for lang in sorted({it.lang for it, _ in rows}) + ["all"]:
            sel = [s for it, s in rows if lang == "all" or it.lang == lang]
            by[lang] = {m: round(sum(s[m] for s in sel) / len(sel), 4) for m in sel[0]} | {"n": len(sel)}
        out[set_name] = by
    return out


def format_report(report: dict) -> str:
    lines = [f"{report['items']} items scored ({report['skipped']} skipped: gold not in archive)"]
    metrics = ["recall@1", "recall@5", "recall@10", "hit@5", "mrr"]
    for mode, r in report["modes"].items():
        lines.append(f"\n{mode}  (mean {r['ms_mean']} ms per item)")
        lines.append(f"  {'set':<8} {'lang':<4} {'n':>4} " + " ".join(f"{m:>9}" for m in metrics))
        for set_name, by in r["table"].items():
            for lang, s in by.items():
                lines.append(f"  {set_name:<8} {lang:<4} {s['n']:>4} " + " ".join(f"{s[m]:>9.3f}" for m in metrics))
    return "\n".join(lines)

"""Fit the verdict thresholds on dumped claim features, and report a cross-validated figure.

    python -m tools.dalil_dev trace-eval --db ARCHIVE --eval-dir DIR --out scores.json   # keeps features
    python -m tools.dalil_dev fit scores.json [--write]

The decision procedure (`dalil.trace.decide`) has three thresholds and two switches; they are chosen
by grid search for the best macro-F1.  5-fold stratified cross-validation (thresholds chosen on four folds,
scored on the fifth) gives the honest figure; with --write the thresholds chosen on every claim
are stored in the verdict model (`dalil.trace.MODEL_PATH`), with the cross-validated figure beside them.
"""
from __future__ import annotations

import itertools
import json
import random

from dalil.trace import MODEL_PATH, decide
from tools.dalil_dev.trace_eval import score_items

GRID = {
    "min_similarity": [0.15, 0.2, 0.25, 0.3, 0.35, 0.4],
    "min_coverage": [0.15, 0.2, 0.3, 0.4, 0.5],
    "negation_similarity": [0.3, 0.4, 0.5, 0.6, 1.01],
    "use_metadata": [False, True],
    "use_overstatement": [False, True],
}
FOLDS = 5
SEED = 13


def predict(items: list[dict], thresholds: dict) -> list[dict]:
    """The items with `pred` decided again from their features under `thresholds`."""
    m = {"thresholds": thresholds}
    return [dict(i, pred=decide(i["features"], m)[0]) for i in items]


def fit(items: list[dict]) -> dict:
    """The grid point with the best macro-F1 on `items` (ties: the earliest, i.e. the simplest)."""
    best, best_f1 = None, -1.0
    for values in itertools.product(*GRID.values()):
        th = dict(zip(GRID, values))
        f1 = score_items(predict(items, th))["all"]["macro_f1"]
        if f1 > best_f1:
            best, best_f1 = th, f1
    return best


def cross_validate(items: list[dict], folds: int = FOLDS, seed: int = SEED) -> list[dict]:
    """Out-of-fold predictions, folds stratified by gold label."""
    by_label: dict[str, list[int]] = {}
    for n, i in enumerate(items):
        by_label.setdefault(i["gold"], []).append(n)
    fold_of = {}
    rng = random.Random(seed)
    for idx in by_label.values():
        rng.shuffle(idx)
        for k, n in enumerate(idx):
            fold_of[n] = k % folds
    out: list[dict | None] = [None] * len(items)
    for k in range(folds):
        th = fit([i for n, i in enumerate(items) if fold_of[n] != k])
        test = [n for n in range(len(items)) if fold_of[n] == k]
        for n, p in zip(test, predict([items[n] for n in test], th)):
            out[n] = p
    return out


def load_items(path: str) -> list[dict]:
    """Traced claims from a `trace-eval --out` JSON file, a JSON list of its items, or JSON lines."""
    text = open(path, encoding="utf-8").read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return data if isinstance(data, list) else data["items"]


def report(items: list[dict], write: bool = False) -> str:
    """Cross-validated and fitted-on-all figures and the fitted thresholds; with `write`, the
    thresholds fitted on all items are stored in the verdict model."""
    cv = score_items(cross_validate(items))
    th = fit(items)
    train = score_items(predict(items, th))
    lines = []
    for name, s in (("5-fold cross-validated", cv), ("fitted on all (optimistic)", train)):
        lines.append(f"{name}: accuracy {s['all']['accuracy']:.3f} macro-F1 {s['all']['macro_f1']:.3f}")
        for label, v in s["all"]["per_class"].items():
            lines.append(f"  {label:17s} n={v['n']:3d} P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f}")
    lines.append(f"thresholds: {th}")
    if write:
        model = {**json.loads(MODEL_PATH.read_text()), "thresholds": th,     # keeps the hand-set parts
                 "claims": len(items),
                 "cross_validated": {"accuracy": cv["all"]["accuracy"], "macro_f1": cv["all"]["macro_f1"],
                                     "per_class": cv["all"]["per_class"]},
                 "fitted": {"accuracy": train["all"]["accuracy"], "macro_f1": train["all"]["macro_f1"]}}
        MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n")
        lines.append(f"wrote {MODEL_PATH}")
    return "\n".join(lines)

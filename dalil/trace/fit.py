"""Fit the verdict thresholds on dumped claim features, and report a cross-validated figure.

    dalil trace-eval --db ARCHIVE --out scores.json     # traces every dev claim, keeps features
    python -m dalil.trace.fit scores.json [--write]

The decision procedure (`verdict.decide`) has three thresholds and two switches; they are chosen
by grid search for the best macro-F1.  5-fold stratified cross-validation (thresholds chosen on four folds,
scored on the fifth) gives the honest figure; with --write the thresholds chosen on every claim
are stored in verdict_model.json, with the cross-validated figure beside them.
"""
from __future__ import annotations

import argparse
import itertools
import json
import random

from dalil.trace.evaluate import score_items
from dalil.trace.verdict import MODEL_PATH, decide, model as stored_model

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scores", help="the JSON written by `dalil trace-eval --out` (or JSON lines of its items)")
    ap.add_argument("--write", action="store_true", help="store the thresholds fitted on all claims")
    args = ap.parse_args()
    items = load_items(args.scores)
    cv = score_items(cross_validate(items))
    th = fit(items)
    train = score_items(predict(items, th))
    for name, s in (("5-fold cross-validated", cv), ("fitted on all (optimistic)", train)):
        print(f"{name}: accuracy {s['all']['accuracy']:.3f} macro-F1 {s['all']['macro_f1']:.3f}")
        for label, v in s["all"]["per_class"].items():
            print(f"  {label:17s} n={v['n']:3d} P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f}")
    print("thresholds:", th)
    if args.write:
        model = {**stored_model(), "thresholds": th, "claims": len(items),     # keeps the hand-set parts
                 "cross_validated": {"accuracy": cv["all"]["accuracy"], "macro_f1": cv["all"]["macro_f1"],
                                     "per_class": cv["all"]["per_class"]},
                 "fitted": {"accuracy": train["all"]["accuracy"], "macro_f1": train["all"]["macro_f1"]}}
        MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n")
        print(f"wrote {MODEL_PATH}")


if __name__ == "__main__":
    main()

"""Fit the verdict model on dumped claim features, and report a cross-validated figure.

    python -m dalil.trace.fit FEATURES.jsonl [--write]

FEATURES.jsonl comes from `dalil trace-eval --dump` (one traced dev claim a line, with its
features and gold label).  The model is a multinomial logistic regression over the few
features of `features.py`, class-weighted (supported claims are three quarters of the set) and
L2-regularized; 5-fold stratified cross-validation gives the honest figure, then the model is
refitted on every claim and, with --write, stored in verdict_model.json.
"""
from __future__ import annotations

import argparse
import json
import random

import numpy as np

from dalil.trace.evaluate import LABELS, _scores
from dalil.trace.features import FEATURES
from dalil.trace.verdict import MODEL_PATH, probabilities

L2 = 0.3
STEPS = 3000
RATE = 0.3
FOLDS = 5
SEED = 13


def fit(items: list[dict], features: list[str] = FEATURES, l2: float = L2) -> dict:
    x = np.array([[i["features"].get(f, 0.0) for f in features] for i in items], dtype=float)
    y = np.array([LABELS.index(i["gold"]) for i in items])
    mean, std = x.mean(0), np.maximum(x.std(0), 1e-3)
    z = (x - mean) / std
    counts = np.bincount(y, minlength=len(LABELS)).astype(float)
    weight = (len(y) / (len(LABELS) * np.maximum(counts, 1)))[y]
    w = np.zeros((len(LABELS), len(features)))
    b = np.zeros(len(LABELS))
    onehot = np.eye(len(LABELS))[y]
    for _ in range(STEPS):
        logits = z @ w.T + b
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        g = (p - onehot) * weight[:, None] / weight.sum()
        w -= RATE * (g.T @ z + l2 * w / len(y))
        b -= RATE * g.sum(0)
    return {"labels": LABELS, "features": list(features), "mean": mean.round(5).tolist(),
            "std": std.round(5).tolist(), "weights": w.round(4).tolist(), "bias": b.round(4).tolist(),
            "l2": l2, "claims": len(items)}


def predict(items: list[dict], m: dict) -> list[dict]:
    out = []
    for i in items:
        probs = probabilities(i["features"], m)
        out.append(dict(i, pred=max(probs, key=probs.get)))
    return out


def cross_validate(items: list[dict], folds: int = FOLDS, seed: int = SEED, **kw) -> list[dict]:
    """Out-of-fold predictions: stratified by gold label, every claim predicted by a model that
    never saw it."""
    by_label: dict[str, list[int]] = {}
    for n, i in enumerate(items):
        by_label.setdefault(i["gold"], []).append(n)
    fold_of = {}
    rng = random.Random(seed)
    for idx in by_label.values():
        rng.shuffle(idx)
        for k, n in enumerate(idx):
            fold_of[n] = k % folds
    preds: list[dict | None] = [None] * len(items)
    for k in range(folds):
        train = [i for n, i in enumerate(items) if fold_of[n] != k]
        test = [n for n in range(len(items)) if fold_of[n] == k]
        m = fit(train, **kw)
        for n, p in zip(test, predict([items[n] for n in test], m)):
            preds[n] = p
    return preds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("--write", action="store_true", help="store the model fitted on all claims")
    args = ap.parse_args()
    items = [json.loads(line) for line in open(args.dump, encoding="utf-8") if line.strip()]
    cv = _scores(cross_validate(items))
    m = fit(items)
    train = _scores(predict(items, m))
    for name, s in (("5-fold cross-validated", cv), ("fitted on all (optimistic)", train)):
        print(f"{name}: accuracy {s['accuracy']:.3f} macro-F1 {s['macro_f1']:.3f}")
        for label, v in s["per_class"].items():
            print(f"  {label:17s} n={v['n']:3d} P={v['precision']:.3f} R={v['recall']:.3f} F1={v['f1']:.3f}")
    if args.write:
        m["cross_validated"] = {"accuracy": cv["accuracy"], "macro_f1": cv["macro_f1"]}
        MODEL_PATH.write_text(json.dumps(m, indent=1) + "\n")
        print(f"wrote {MODEL_PATH}")


if __name__ == "__main__":
    main()

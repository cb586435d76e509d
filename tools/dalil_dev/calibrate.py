"""Calibrate the verdict confidence: the probability that a label is right, fitted on held-out claims.

    python -m tools.dalil_dev trace-eval ... --split eval/claims-split.json --half tuning --out tuning.json
    python -m tools.dalil_dev calibrate tuning.json [more.json ...] [--write] [--report validation.json ...]

The decision procedure gives a raw confidence per way of deciding (`dalil.trace.decide`, hand-set
formulas).  Calibration maps it, per group (the label; for `supported`, apart when a core fact of
the claim is missing from the cited passage), to the share of claims that were right: isotonic
regression (pool-adjacent-violators) on the fitting claims, blocks of at least MIN_BLOCK (20) claims,
each block's rate shrunk towards its group's rate (Laplace, one right and one wrong pseudo-claim).
The fitting files' own figure is cross-validated (5 folds); a --report file is scored with the
table fitted on all fitting files.  The reliability table: claims per confidence bin, mean
confidence, share right, and the expected calibration error (ECE).
"""
from __future__ import annotations

import json
import random

from dalil.trace import MODEL_PATH, calibrated, calibration_group, decide

MIN_BLOCK = 20           # chosen by 5-fold cross-validation on the fitting claims (ECE), among 5, 10, 20, 30, 60
FOLDS = 5
SEED = 17
BINS = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]


def raw_items(items: list[dict]) -> list[dict]:
    """Each traced item with its group, raw confidence and whether its label was right."""
    out = []
    for i in items:
        label, raw = decide(i["features"])
        out.append({"group": calibration_group(label, i["features"]), "raw": raw,
                    "right": label == i["gold"], "features": i["features"], "label": label})
    return out


def isotonic(points: list[tuple[float, bool]], min_block: int | None = None) -> list[list[float]]:
    """Steps [upper raw value, probability] of a non-decreasing fit of rightness on raw value."""
    min_block = MIN_BLOCK if min_block is None else min_block
    points = sorted(points)
    # Blocks of equal raw value first: a step cannot split them.
    blocks: list[list[float]] = []          # [upper, right, n]
    for raw, right in points:
        if blocks and blocks[-1][0] == raw:
            blocks[-1][1] += right
            blocks[-1][2] += 1
        else:
            blocks.append([raw, float(right), 1])
    merged: list[list[float]] = []
    for b in blocks:
        merged.append(list(b))
        # Pool adjacent violators, and blocks too small to say anything.
        while len(merged) > 1 and (merged[-2][1] / merged[-2][2] >= merged[-1][1] / merged[-1][2]
                                   or merged[-2][2] < min_block):
            upper, r, n = merged.pop()
            merged[-1] = [upper, merged[-1][1] + r, merged[-1][2] + n]
    while len(merged) > 1 and merged[-1][2] < min_block:
        upper, r, n = merged.pop()
        merged[-1] = [upper, merged[-1][1] + r, merged[-1][2] + n]
    return [[round(upper, 4), round((r + 1) / (n + 2), 3)] for upper, r, n in merged]


def fit(items: list[dict]) -> dict[str, list[list[float]]]:
    """The calibration table: per group, the isotonic steps of rightness on raw confidence."""
    groups: dict[str, list[tuple[float, bool]]] = {}
    for r in raw_items(items):
        groups.setdefault(r["group"], []).append((r["raw"], r["right"]))
    return {g: isotonic(pts) for g, pts in sorted(groups.items())}


def confidences(items: list[dict], table: dict) -> list[tuple[float, bool]]:
    """(calibrated confidence, right?) of each item under `table`."""
    return [(calibrated(r["label"], r["raw"], r["features"], table), r["right"]) for r in raw_items(items)]


def cross_validated(items: list[dict], folds: int = FOLDS, seed: int = SEED) -> list[tuple[float, bool]]:
    """Out-of-fold (confidence, right?) pairs: each fold scored with the table fitted on the others."""
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    fold_of = {n: k % folds for k, n in enumerate(order)}
    out: list[tuple[float, bool]] = [(0.0, False)] * len(items)
    for k in range(folds):
        table = fit([i for n, i in enumerate(items) if fold_of[n] != k])
        test = [n for n in range(len(items)) if fold_of[n] == k]
        for n, pair in zip(test, confidences([items[n] for n in test], table)):
            out[n] = pair
    return out


def reliability(pairs: list[tuple[float, bool]], review_below: float | None = None) -> dict:
    """Claims, mean confidence and share right per confidence bin; the expected calibration error;
    with `review_below`, the share right above and below the review threshold."""
    rows = []
    ece = 0.0
    for lo, hi in zip(BINS, BINS[1:]):
        inside = [(c, r) for c, r in pairs if lo <= c < hi or (hi == 1.0 and c == 1.0)]
        if not inside:
            continue
        conf = sum(c for c, _ in inside) / len(inside)
        right = sum(r for _, r in inside) / len(inside)
        ece += len(inside) / len(pairs) * abs(conf - right)
        rows.append({"bin": f"{lo:.1f}–{hi:.1f}", "claims": len(inside), "confidence": round(conf, 3),
                     "right": round(right, 3)})
    out = {"claims": len(pairs), "bins": rows, "ece": round(ece, 3)}
    if review_below is not None:
        low = [r for c, r in pairs if c < review_below]
        high = [r for c, r in pairs if c >= review_below]
        out["review"] = {"flagged": len(low), "right_flagged": round(sum(low) / len(low), 3) if low else None,
                         "right_unflagged": round(sum(high) / len(high), 3) if high else None}
    return out


def format_reliability(name: str, rel: dict) -> str:
    lines = [f"{name}: {rel['claims']} claims, ECE {rel['ece']:.3f}",
             "| confidence | claims | mean confidence | share right |", "|---|---|---|---|"]
    lines += [f"| {b['bin']} | {b['claims']} | {b['confidence']:.3f} | {b['right']:.3f} |" for b in rel["bins"]]
    if "review" in rel:
        v = rel["review"]
        lines.append(f"needs_review: {v['flagged']} flagged (right {v['right_flagged']}), "
                     f"unflagged right {v['right_unflagged']}")
    return "\n".join(lines)


def report(fit_items: list[dict], report_sets: dict[str, list[dict]], review_below: float,
           write: bool = False) -> str:
    """Reliability before and after calibration on the fitting claims (cross-validated) and on each
    report set; with `write`, the table fitted on all fitting claims is stored in the verdict model."""
    table = fit(fit_items)
    raw = [(r["raw"], r["right"]) for r in raw_items(fit_items)]
    parts = [format_reliability("fitting claims, raw confidence", reliability(raw, review_below)),
             format_reliability("fitting claims, calibrated (5-fold cross-validated)",
                                reliability(cross_validated(fit_items), review_below))]
    for name, items in report_sets.items():
        parts.append(format_reliability(f"{name}, raw confidence",
                                        reliability([(r["raw"], r["right"]) for r in raw_items(items)], review_below)))
        parts.append(format_reliability(f"{name}, calibrated", reliability(confidences(items, table), review_below)))
    parts.append("table: " + json.dumps(table))
    if write:
        model = json.loads(MODEL_PATH.read_text())
        model["calibration"] = table
        model["calibration_claims"] = len(fit_items)
        MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n")
        parts.append(f"wrote {MODEL_PATH}")
    return "\n\n".join(parts)

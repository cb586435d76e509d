"""Confidence calibration (tools/dalil_dev/calibrate.py and dalil.trace.verdict.calibrated) on
made-up traced items: the features are written for the test, never taken from an evaluation set."""
from __future__ import annotations

import random

from dalil.trace import calibrated, calibration_group, decide
from tools.dalil_dev.calibrate import cross_validated, fit, isotonic, reliability


def _supported(closeness: float, gold: str, core_missing: int = 0) -> dict:
    # sim and dcov above the not-found floors, no difference: decide() says supported, with a raw
    # confidence growing with the closeness.
    # The predicate features say the passage states what the claim says happened (STATED).
    return {"gold": gold, "features": {"sim": closeness, "dcov": closeness, "core_missing": core_missing, **STATED}}


# The predicate model's inputs of a passage that states the claim's predicate, and of one that
# names the same people but states something else (dalil.trace.verdict.predicate_vector).
STATED = {"pred": 0.9, "pred_max": 0.9, "cov": 0.9}
UNSTATED = {"pred": 0.05, "pred_max": 0.1, "cov": 0.2}


def test_isotonic_steps_rise_and_pool_small_blocks():
    pts = [(0.5, False)] * 6 + [(0.6, True), (0.6, False)] * 3 + [(0.9, True)] * 8 + [(0.7, False)]
    steps = isotonic(pts, min_block=5)
    uppers = [u for u, _ in steps]
    probs = [p for _, p in steps]
    assert uppers == sorted(uppers) and probs == sorted(probs)
    assert steps[0][1] < 0.2 and steps[-1][1] > 0.8            # shrunk, never 0 or 1
    assert 0.0 < min(probs) and max(probs) < 1.0
    # A violator (0.7 wrong after 0.6 half right) is pooled with its neighbour, not a step down.
    assert len(steps) <= 3


def test_a_single_small_group_is_one_step_at_its_rate():
    steps = isotonic([(0.8, True), (0.8, True), (0.8, False)], min_block=5)
    assert steps == [[0.8, round(3 / 5, 3)]]


def test_the_table_maps_each_group_apart_and_falls_back_to_raw():
    table = {"supported": [[0.7, 0.55], [1.0, 0.92]], "supported/core_missing": [[1.0, 0.4]],
             "supported/unstated": [[1.0, 0.3]]}
    full, gap = {"core_missing": 0, **STATED}, {"core_missing": 2, **STATED}
    unstated = {"core_missing": 0, "dcov": 0.9, **UNSTATED}
    assert calibration_group("supported", gap) == "supported/core_missing"
    # a passage unlikely to state the predicate is its own group, before a missing core fact
    assert calibration_group("supported", unstated) == "supported/unstated"
    assert calibration_group("supported", {**unstated, "core_missing": 1}) == "supported/unstated"
    assert calibrated("supported", 0.9, unstated, table) == 0.3
    assert calibration_group("contradicted", gap) == "contradicted"
    assert calibrated("supported", 0.6, full, table) == 0.55
    assert calibrated("supported", 0.9, full, table) == 0.92
    assert calibrated("supported", 0.9, gap, table) == 0.4
    assert calibrated("contradicted", 0.65, gap, table) == 0.65       # no table for the group: raw
    assert calibrated("supported", 0.9, full, {}) == 0.9


def test_calibration_fixes_an_overconfident_label():
    """Supported claims right only 60% of the time, whatever their raw confidence (0.7–0.95): the
    calibrated confidence says about 0.6 for them, and the reliability gap (ECE) shrinks."""
    rng = random.Random(3)
    items = [_supported(rng.uniform(0.5, 1.0), "supported" if rng.random() < 0.6 else "not_found")
             for _ in range(200)]
    assert {decide(i["features"])[0] for i in items} == {"supported"}
    raw = reliability([(decide(i["features"])[1], i["gold"] == "supported") for i in items])
    table = fit(items)
    assert all(0.35 <= p <= 0.8 for _, p in table["supported"])      # noise makes small steps
    calibrated_pairs = cross_validated(items)
    after = reliability(calibrated_pairs, review_below=0.6)
    assert after["ece"] < raw["ece"] and raw["ece"] > 0.15
    assert after["claims"] == 200 and sum(b["claims"] for b in after["bins"]) == 200


def test_a_missing_core_fact_is_calibrated_on_its_own():
    rng = random.Random(5)
    items = [_supported(rng.uniform(0.6, 1.0), "supported") for _ in range(40)]
    items += [_supported(rng.uniform(0.6, 1.0), "supported" if k % 3 == 0 else "partly_supported", 1)
              for k in range(30)]
    table = fit(items)
    assert max(p for _, p in table["supported/core_missing"]) <= 0.55 < min(p for _, p in table["supported"])

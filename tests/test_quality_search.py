"""Quality gate: pinned retrieval floors on a fixed subset of the real corpus.

The subset (tests/conftest.py `quality_archive`): every gold document of the dev sets plus a
seeded sample of 3,000 other documents, with its vectors.  Each floor in quality_floors.json
sits slightly below the measured value; a change that loses recall fails here.
Refresh after an intended change:  python -m dalil eval --db <that archive> --json
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dalil.search.evaluate import evaluate, load_items

FLOORS = json.loads((Path(__file__).with_name("quality_floors.json")).read_text())
CASES = [(mode, set_name, lang, metric, floor)
         for mode, sets in FLOORS.items() for set_name, langs in sets.items()
         for lang, metrics in langs.items() for metric, floor in metrics.items()]


@pytest.fixture(scope="module")
def report(quality_archive, eval_dir):
    return evaluate(quality_archive, load_items(eval_dir, "both"), list(FLOORS))


def test_every_dev_item_is_scored(report):
    assert report["skipped"] == 0 and report["items"] == 346


@pytest.mark.parametrize("mode,set_name,lang,metric,floor", CASES,
                         ids=[f"{m}-{s}-{l}-{k}" for m, s, l, k, _ in CASES])
def test_recall_floor(report, mode, set_name, lang, metric, floor):
    value = report["modes"][mode]["table"][set_name][lang][metric]
    assert value >= floor, f"{mode} {set_name} {lang} {metric} = {value:.3f} < floor {floor}"

"""Quality gate: pinned retrieval floors on a fixed subset of the real corpus.

The subset (tests/conftest.py `quality_archive`): every gold document of the dev sets plus a
seeded sample of 3,000 other documents, with its vectors.  Each floor in quality_floors.json
sits slightly below the measured value; a change that loses recall fails here.
Refresh after an intended change:
    python -m tools.dalil_dev eval --db <that archive> --eval-dir ../shared/eval --json
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tools.dalil_dev.search_eval import evaluate, load_items, load_items_file

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


# Dev claims translated into languages dalil is not tuned for (Persian, Spanish, Italian,
# Portuguese, Turkish, German; eval/other-languages.jsonl, written for dalil): no code knows
# these languages, so this floor guards the multilingual parts every language goes through.
OTHER_LANGUAGES = Path(__file__).resolve().parents[1] / "eval" / "other-languages.jsonl"
OTHER_FLOOR = 0.65                                            # measured 0.707


def test_languages_beyond_the_tuned_three(quality_archive):
    report = evaluate(quality_archive, load_items_file(OTHER_LANGUAGES), ["hybrid"])
    table = report["modes"]["hybrid"]["table"]["items"]
    assert report["skipped"] == 0 and len(table) >= 7         # six languages and "all"
    assert table["all"]["recall@5"] >= OTHER_FLOOR, table["all"]

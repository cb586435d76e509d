"""Split the development claims once into a tuning half and a validation half, stratified by
language and verdict, and write the ids (never the claims) to eval/claims-split.json.

    python tools/make_split.py --eval-dir ../shared/eval [--out eval/claims-split.json]

Misses are studied on the tuning half only; figures are reported on the validation half (and on
claims-tuning.jsonl apart).  The split is made once and committed: rerunning with the same seed
gives the same file, and a changed file is a changed experiment.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

SEED = 20261207


def split(claims: list[dict]) -> dict[str, list[str]]:
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c in claims:
        strata[(c["lang"], c["verdict"])].append(c["id"])
    rng = random.Random(SEED)
    out: dict[str, list[str]] = {"tuning": [], "validation": []}
    # Odd-sized strata alternate which half gets the extra item, so the halves stay even overall.
    extra_to_tuning = True
    for key in sorted(strata):
        ids = sorted(strata[key])
        rng.shuffle(ids)
        half = len(ids) // 2
        if len(ids) % 2:
            half += 1 if extra_to_tuning else 0
            extra_to_tuning = not extra_to_tuning
        out["tuning"] += ids[:half]
        out["validation"] += ids[half:]
    return {k: sorted(v) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval-dir", required=True, type=Path)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "eval" / "claims-split.json")
    args = ap.parse_args()
    claims = [json.loads(l) for l in (args.eval_dir / "claims-dev.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    halves = split(claims)
    args.out.write_text(json.dumps({"seed": SEED, "source": "claims-dev.jsonl", **halves}, indent=1) + "\n")
    by = defaultdict(lambda: [0, 0])
    lookup = {c["id"]: c for c in claims}
    for i, name in enumerate(("tuning", "validation")):
        for cid in halves[name]:
            by[(lookup[cid]["lang"], lookup[cid]["verdict"])][i] += 1
    for key in sorted(by):
        print(f"{key[0]} {key[1]:<17} tuning {by[key][0]:>3}  validation {by[key][1]:>3}")
    print(f"tuning {len(halves['tuning'])}, validation {len(halves['validation'])} -> {args.out}")


if __name__ == "__main__":
    main()

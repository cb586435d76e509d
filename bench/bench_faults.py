"""`kill -9` at N random moments of `dalil ingest`, `dalil index` and `dalil build-intel`, each
followed by a rerun, compared with a clean run (the long mode of tests/test_faults.py).

    python bench/bench_faults.py --docs 1500 --moments 20
    python bench/bench_faults.py --docs 1500 --moments 20 --commands ingest,build-intel

Prints one line per trial and writes bench/results/faults.json: for each command, its clean
duration, and per moment whether the kill landed, whether `dalil check` passed after the rerun
and whether the archive's digest equals the clean run's.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import fault_support as fs  # noqa: E402


def corpus_dir(cache: Path, tgz: Path) -> Path:
    target = cache / "corpus"
    if not (target / ".complete").exists():
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tgz) as tf:
            tf.extractall(target, filter="data")
        (target / ".complete").write_text("ok")
    return target / "text"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1500)
    ap.add_argument("--moments", type=int, default=20)
    ap.add_argument("--seed", type=int, default=25)
    ap.add_argument("--commands", default="ingest,build-intel,index")
    ap.add_argument("--chunk", type=int, default=1024, help="passages per vector build step")
    ap.add_argument("--work", type=Path, default=Path("/tmp/dalil-bench-faults"))
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "faults.json")
    args = ap.parse_args()
    shared = Path(os.environ.get("DALIL_SHARED", ROOT.parent / "shared"))
    cache = Path(os.environ.get("DALIL_TEST_CACHE", "/tmp/dalil-test-cache"))
    corpus = corpus_dir(cache, shared / "data" / "clinton-foia-text.tar.gz")
    inputs = fs.corpus_slice(corpus, args.docs, args.work / f"inputs-{args.docs}-{args.seed}", seed=args.seed)
    t0 = time.perf_counter()
    scenarios = {s.name: s for s in fs.scenarios(inputs, args.work / "runs", chunk=args.chunk)}
    print(f"clean runs: {', '.join(f'{n} {s.duration:.1f} s' for n, s in scenarios.items())} "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
    results = {"docs": args.docs, "moments": args.moments, "seed": args.seed, "date": time.strftime("%Y-%m-%d %H:%M"),
               "commands": {}}
    for name in args.commands.split(","):
        s = scenarios[name]
        print(f"{name}: clean run again: {s.retime(args.work / 'retime'):.1f} s", flush=True)
        trials = []
        for at in s.moments(args.moments, args.seed):
            t = s.trial(args.work / "trial", at)
            trials.append(t.to_dict())
            print(f"{name}: kill at {at:.1f} s ({'landed' if t.landed else 'finished first'}): "
                  f"rerun {t.rerun_seconds:.1f} s, check {'ok' if t.check_ok else 'FAILED'}, "
                  f"{'identical' if t.same else 'DIFFERENT: ' + '; '.join(t.diff[:3])}", flush=True)
        results["commands"][name] = {
            "clean_seconds": round(s.duration, 1), "landed": sum(t["landed"] for t in trials),
            "identical": sum(t["same"] for t in trials), "check_ok": sum(t["check_ok"] for t in trials),
            "trials": trials}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    for name, r in results["commands"].items():
        print(f"{name}: {len(r['trials'])} kills, {r['landed']} landed, {r['identical']} identical, "
              f"{r['check_ok']} checks ok")


if __name__ == "__main__":
    main()

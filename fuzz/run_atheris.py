"""Coverage-guided fuzzing of every reader with Atheris (libFuzzer for Python).

    python3 fuzz/run_atheris.py --runs 20000 --seconds 600            # every format
    python3 fuzz/run_atheris.py --formats eml,mbox --runs 5000

Each format runs in its own child process, fed by the seeds of tests/fuzz_support.py and the
properties checked there (the same as tests/test_fuzz_readers.py).  Limits per child:
libFuzzer's `-timeout=10` (an input running longer than 10 s is a hang) and `-rss_limit_mb=1024`
(a resident size above 1 GB is a blow-up), backed by `resource.setrlimit(RLIMIT_AS)` set in the
child before it starts, so a runaway allocation fails there instead of taking the machine.
A crash, hang or blow-up stops libFuzzer; its input is written to tests/data/fuzz-regressions/
as `<format>-atheris-<kind>-<sha1>` (replayed by the test suite), and the child is started
again for the runs left, up to `--restarts` times.

Counts (inputs run, seconds, crashes, hangs, memory blow-ups, coverage) are merged into
bench/results/fuzz.json: a format's entry is replaced by the newer run of that format.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
RESULTS = ROOT / "bench" / "results" / "fuzz.json"
REGRESSIONS = ROOT / "tests" / "data" / "fuzz-regressions"
CORPUS = Path(os.environ.get("DALIL_FUZZ_CORPUS", "/tmp/dalil-fuzz-corpus"))
MAX_LEN = 64 << 10
AS_LIMIT = 3 << 30       # address space (not RSS): numpy and the parsers map more than they touch


def child(fmt_name: str, runs: int, seconds: int, work: str) -> None:
    """Run libFuzzer on one format in this process (started by `main` with its limits)."""
    import atheris
    # Large libraries dalil imports but does not parse input with: loaded uninstrumented (numpy alone
    # would cost a minute of instrumentation per child).  email, zipfile and dalil are instrumented.
    for heavy in ("numpy", "rapidfuzz", "PIL.Image", "charset_normalizer", "lxml.etree", "pytesseract",
                  "multiprocessing", "concurrent.futures", "sqlite3", "certifi", "packaging.version"):
        try:
            __import__(heavy)
        except ImportError:
            pass
    with atheris.instrument_imports():
        import fuzz_support
        from dalil.ingest.base import readers
        readers()                       # load every reader module under instrumentation
    fmt = fuzz_support.formats()[fmt_name]
    harness = fuzz_support.pipeline_harness(fmt, Path(work))
    corpus = CORPUS / fmt_name
    corpus.mkdir(parents=True, exist_ok=True)
    for i, seed in enumerate(fmt.seeds):
        if len(seed) <= MAX_LEN:
            (corpus / f"seed-{i}").write_bytes(seed)

    for seed in fmt.seeds:              # warm the lazy loads (language model, parsers) before timing inputs
        try:
            harness(seed)
        except Exception:
            pass

    def one(data: bytes) -> None:
        harness(data)

    max_len = min(MAX_LEN, max([4096] + [2 * len(s) for s in fmt.seeds]))
    argv = [sys.argv[0], str(corpus), f"-runs={runs}", f"-max_total_time={seconds}", "-timeout=10",
            "-rss_limit_mb=1024", f"-max_len={max_len}", "-len_control=0", "-print_final_stats=1",
            f"-artifact_prefix={REGRESSIONS}/{fmt_name}-atheris-"]
    atheris.Setup(argv, one)
    atheris.Fuzz()


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


_DONE = re.compile(r"Done (\d+) runs in (\d+) second")
_RUNS = re.compile(r"stat::number_of_executed_units:\s*(\d+)")
_COV = re.compile(r"cov: (\d+) ft: (\d+)")


def run_format(name: str, runs: int, seconds: int, restarts: int, log_dir: Path) -> dict:
    """Fuzz one format until `runs` inputs or `seconds` have passed; counts and findings."""
    done, spent, findings, cov = 0, 0.0, [], None
    attempt = 0
    while done < runs and spent < seconds and attempt <= restarts:
        work = Path(f"/tmp/dalil-fuzz-work/{name}")
        work.mkdir(parents=True, exist_ok=True)
        before = set(REGRESSIONS.glob(f"{name}-atheris-*"))
        log = log_dir / f"{name}-{attempt}.log"
        t0 = time.monotonic()
        with open(log, "w") as fh:
            rc = subprocess.call([sys.executable, __file__, "--child", name, "--runs", str(runs - done),
                                  "--seconds", str(max(1, int(seconds - spent))), "--work", str(work)],
                                 stdout=fh, stderr=subprocess.STDOUT, preexec_fn=_limit_memory, cwd=work)
        spent += time.monotonic() - t0
        text = log.read_text(errors="replace")
        m = _RUNS.search(text) or _DONE.search(text)
        executed = int(m.group(1)) if m else 0
        covs = _COV.findall(text)
        cov = covs[-1] if covs else cov
        new = sorted(set(REGRESSIONS.glob(f"{name}-atheris-*")) - before)
        kind = ("hang" if "ERROR: libFuzzer: timeout" in text else
                "memory" if "out-of-memory" in text or "MemoryError" in text else
                "crash" if rc != 0 else None)
        done += executed
        if kind:
            findings.append({"kind": kind, "exit": rc, "inputs": [p.name for p in new], "log": str(log),
                             "error": _first_error(text)})
        if rc == 0:
            break
        attempt += 1
    return {"runs": done, "seconds": round(spent, 1),
            "crashes": sum(f["kind"] == "crash" for f in findings),
            "hangs_over_10s": sum(f["kind"] == "hang" for f in findings),
            "memory_over_1gb": sum(f["kind"] == "memory" for f in findings),
            "coverage": {"cov": int(cov[0]), "features": int(cov[1])} if cov else None,
            "findings": findings}


def _first_error(text: str) -> str:
    for line in text.splitlines():
        if "Error" in line or "Finding" in line or "ERROR" in line:
            return line.strip()[:300]
    return ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--formats", default="all", help="comma-separated formats (default: all)")
    ap.add_argument("--runs", type=int, default=20000, help="inputs per format")
    ap.add_argument("--seconds", type=int, default=600, help="wall-clock budget per format")
    ap.add_argument("--restarts", type=int, default=5, help="restarts after a finding, per format")
    ap.add_argument("--results", type=Path, default=RESULTS, help="JSON file the counts are merged into")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        sys.argv = sys.argv[:1]
        child(args.child, args.runs, args.seconds, args.work)
        return
    import atheris  # noqa: F401  (fail here, clearly, when it is not installed)
    from fuzz_support import formats
    names = sorted(formats()) if args.formats == "all" else args.formats.split(",")
    log_dir = Path("/tmp/dalil-fuzz-logs")
    log_dir.mkdir(parents=True, exist_ok=True)
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    for name in names:
        r = run_format(name, args.runs, args.seconds, args.restarts, log_dir)
        r["date"] = time.strftime("%Y-%m-%d %H:%M")
        # Read again before writing: another run may have merged its formats meanwhile.
        results = json.loads(args.results.read_text()) if args.results.exists() else {}
        results.setdefault("formats", {})[name] = r
        results["tool"] = f"atheris {_version()} (libFuzzer), -timeout=10 -rss_limit_mb=1024"
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
        print(f"{name}: {r['runs']} inputs in {r['seconds']} s, crashes {r['crashes']}, "
              f"hangs {r['hangs_over_10s']}, memory {r['memory_over_1gb']}", flush=True)


def _version() -> str:
    from importlib.metadata import version
    return version("atheris")


if __name__ == "__main__":
    main()

"""Faults for dalil's long commands: `kill -9` at chosen moments, then a rerun, then a comparison
with a clean run (issue 25, item 4).  Shared by tests/test_faults.py (a few moments) and
bench/bench_faults.py (20 moments per command, on a larger slice).

Each command runs as `python -m dalil …` in a process group of its own; a kill sends SIGKILL to
the whole group (the command and the reader or embedding processes it started), as the machine
would if it died.  The archive left behind is rerun to completion with the same command, and its
`Archive.digest()` (a canonical checksum of every content table, of the vector index, the name
table and the word vocabulary) must equal the clean run's.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def corpus_slice(corpus_dir: Path, n: int, dest: Path, seed: int = 25) -> Path:
    """A seeded sample of `n` corpus files copied into dest/<release>/ (the release folders kept)."""
    if (dest / ".complete").exists():
        return dest
    paths = sorted(corpus_dir.glob("*/*.txt"))
    chosen = sorted(random.Random(seed).sample(paths, n))
    for src in chosen:
        (dest / src.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dest / src.parent.name / src.name)
    (dest / ".complete").write_text(str(n))
    return dest


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(extra)
    return e


def dalil(args: list[str], timeout: float = 900, **extra: str) -> subprocess.CompletedProcess:
    """Run `dalil ARGS` to completion."""
    return subprocess.run([sys.executable, "-m", "dalil", *args], env=env(**extra), capture_output=True,
                          text=True, timeout=timeout)


def run_killed(args: list[str], at: float, **extra: str) -> bool:
    """Start `dalil ARGS`, SIGKILL its process group after `at` seconds; True when the kill landed
    (the command was still running), False when it had already finished."""
    proc = subprocess.Popen([sys.executable, "-m", "dalil", *args], env=env(**extra), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=at)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


def copy_archive(src: Path, dst: Path) -> None:
    """Copy an archive file and its vector folder (a closed archive: no -wal file to carry)."""
    for p in (dst, Path(f"{dst}.vectors")):
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    shutil.copy(src, dst)
    if Path(f"{src}-wal").exists():
        shutil.copy(f"{src}-wal", f"{dst}-wal")
    if Path(f"{src}.vectors").is_dir():
        shutil.copytree(f"{src}.vectors", f"{dst}.vectors")


def digest(db: Path) -> dict[str, Any]:
    from dalil import Archive
    archive = Archive(str(db), readonly=True)
    try:
        return archive.digest()
    finally:
        archive.close()


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """What differs between two digests, part by part (tables by name)."""
    out = [f"table {t}: {a['tables'].get(t)} != {b['tables'].get(t)}"
           for t in sorted(set(a["tables"]) | set(b["tables"])) if t != "all" and a["tables"].get(t) != b["tables"].get(t)]
    out += [f"{k}: {a.get(k)} != {b.get(k)}" for k in ("vectors", "names", "vocabulary") if a.get(k) != b.get(k)]
    return out


@dataclass
class Trial:
    at: float
    landed: bool
    check_ok: bool
    same: bool
    rerun_seconds: float
    diff: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"at": round(self.at, 2), "landed": self.landed, "check_ok": self.check_ok, "same": self.same,
                "rerun_seconds": round(self.rerun_seconds, 1), "diff": self.diff[:5]}


@dataclass
class Scenario:
    """One command to kill: `args` (with {db} for the archive), the archive it starts from (None:
    an empty one), the clean archive's digest to reach."""
    name: str
    args: list[str]
    start: Path | None
    expected: dict[str, Any]
    duration: float            # seconds the clean command took: moments are drawn below it
    extra: dict[str, str] = field(default_factory=dict)

    def trial(self, work: Path, at: float) -> Trial:
        work.mkdir(parents=True, exist_ok=True)
        db = work / "killed.db"
        if self.start is None:
            copy_archive_absent(db)
        else:
            copy_archive(self.start, db)
        args = [a.replace("{db}", str(db)) for a in self.args]
        landed = run_killed(args, at, **self.extra)
        t0 = time.perf_counter()
        done = dalil(args, **self.extra)
        rerun = time.perf_counter() - t0
        if done.returncode != 0:
            return Trial(at, landed, False, False, rerun, [f"rerun failed: {done.stderr.strip()[-300:]}"])
        check = dalil(["check", "--db", str(db)])
        got = digest(db)
        diff = differences(self.expected, got)
        return Trial(at, landed, check.returncode == 0, not diff, rerun,
                     diff + ([f"check: {check.stderr.strip()}"] if check.returncode else []))

    def retime(self, work: Path) -> float:
        """Run the command once more from its start, uninterrupted, and take that as its duration:
        a shared machine's load changes, and moments drawn over a stale duration miss the run."""
        work.mkdir(parents=True, exist_ok=True)
        db = work / "retime.db"
        if self.start is None:
            copy_archive_absent(db)
        else:
            copy_archive(self.start, db)
        self.duration = timed([a.replace("{db}", str(db)) for a in self.args], **self.extra)
        return self.duration

    def moments(self, n: int, seed: int) -> list[float]:
        """`n` moments drawn uniformly over the clean run's duration (seeded)."""
        rng = random.Random(f"{seed}-{self.name}")
        return sorted(rng.uniform(0.3, self.duration) for _ in range(n))


def copy_archive_absent(db: Path) -> None:
    """No archive at `db` (an ingest into a new file)."""
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    if Path(f"{db}.vectors").is_dir():
        shutil.rmtree(f"{db}.vectors")


def timed(args: list[str], **extra: str) -> float:
    t0 = time.perf_counter()
    done = dalil(args, **extra)
    if done.returncode != 0:
        raise RuntimeError(f"dalil {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return time.perf_counter() - t0


def scenarios(inputs: Path, work: Path, chunk: int = 512) -> list[Scenario]:
    """The three commands, each with its clean run made here: `dalil ingest` (with its people and
    duplicates pass) into a new archive, `dalil index` on the ingested archive, `dalil build-intel`
    on an archive ingested without that pass.  Vector build steps of `chunk` passages, so a small
    archive has several resume points."""
    work.mkdir(parents=True, exist_ok=True)
    extra = {"DALIL_VECTOR_CHUNK": str(chunk)}
    clean, ingested, bare = work / "clean.db", work / "ingested.db", work / "bare-start.db"
    ingest_args = ["ingest", str(inputs), "--db", "{db}"]
    made = work / "clean.json"      # the clean runs of an earlier call on the same inputs, reused
    key = {"inputs": str(inputs), "chunk": chunk}
    if made.exists() and json.loads(made.read_text()).get("key") == key:
        t_ingest, t_index, t_intel = json.loads(made.read_text())["seconds"]
    else:
        made.unlink(missing_ok=True)
        copy_archive_absent(clean)
        t_ingest = timed([a.replace("{db}", str(clean)) for a in ingest_args])
        copy_archive(clean, ingested)
        t_index = timed(["index", "--db", str(clean)], **extra)
        # The same inputs without the people/duplicates pass: the start of `dalil build-intel`.
        copy_archive_absent(bare)
        _ingest_without_intel(inputs, bare)
        probe = work / "bare-probe.db"
        copy_archive(bare, probe)
        t_intel = timed(["build-intel", "--db", str(probe)])
        made.write_text(json.dumps({"key": key, "seconds": [t_ingest, t_index, t_intel]}))
    indexed = digest(clean)
    expected = digest(ingested)
    return [
        Scenario("ingest", ingest_args, None, expected, t_ingest),
        Scenario("index", ["index", "--db", "{db}"], ingested, indexed, t_index, extra),
        Scenario("build-intel", ["build-intel", "--db", "{db}"], bare, expected, t_intel),
    ]


def _ingest_without_intel(inputs: Path, db: Path) -> None:
    code = ("import sys; from dalil import Archive; a = Archive(sys.argv[1]); "
            "a.ingest([sys.argv[2]], build_intel=False); a.close()")
    subprocess.run([sys.executable, "-c", code, str(db), str(inputs)], env=env(), check=True, timeout=900)

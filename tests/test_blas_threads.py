"""Query-time numpy runs on one BLAS thread unless the user sets otherwise (spinning BLAS threads
on a busy 2-core machine made a query encoding ~80x slower)."""
from __future__ import annotations

import os
import subprocess
import sys

PROBE = "import dalil, os; print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"


def run_probe(env: dict) -> str:
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          check=True).stdout.split()


def test_importing_dalil_sets_one_blas_thread():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    assert run_probe(env) == ["1", "1"]


def test_a_users_setting_is_kept():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["OPENBLAS_NUM_THREADS"] = "2"
    assert run_probe(env) == ["2", "1"]

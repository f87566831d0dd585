"""Helpers of the framework tests: is a framework installed, and run generated scripts with it."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUNNER = Path(__file__).with_name("runner.py")


def require(framework: str) -> None:
    """Skip (not fail) where the framework is missing. find_spec, not an import: importing Keras here
    would pick its default backend (TensorFlow) in the test process."""
    module = "torch" if framework == "pytorch" else "keras"
    if importlib.util.find_spec(module) is None or importlib.util.find_spec("torch") is None:
        pytest.skip(f"{module} is not installed (CI installs torch==2.13.0 and keras)")


def run_scripts(framework: str, jobs: list[list[str]], timeout: float = 300) -> dict:
    """{script: {"stdout": text} or {"error": traceback}}, all jobs in one subprocess."""
    env = dict(os.environ, KERAS_BACKEND="torch", CUDA_VISIBLE_DEVICES="", OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(RUNNER), json.dumps(jobs)], capture_output=True, text=True,
                          env=env, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])

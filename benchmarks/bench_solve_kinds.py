"""Every `dltutor solve` kind against `python -c "import numpy"`, side by side in one run.

Each kind runs its first help example with --json (as a user would type it);
the kinds and `import numpy` take turns, so machine load hits all alike. The
script prints each kind's median and its ratio to NumPy's; the target is a
ratio of at most 2 for every kind (issue: "cost nothing by default").

    python benchmarks/bench_solve_kinds.py [--runs 5] [--kinds backprop,lstm]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import time

TARGET = 2.0


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def commands(only: set[str]) -> dict[str, list[str]]:
    from dltutor.solvers.registry import KIND_MODULES, get_kind

    out = {"import numpy": [sys.executable, "-c", "import numpy"]}
    for name in sorted(KIND_MODULES):
        if only and name not in only:
            continue
        example = get_kind(name).examples[0]
        out[name] = [sys.executable, "-m", "dltutor", "solve", name, *shlex.split(example), "--json"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kinds", default="", help="comma-separated kinds (default: all)")
    args = parser.parse_args()
    cmds = commands({k for k in args.kinds.split(",") if k})
    for cmd in cmds.values():          # warm the file cache
        timed(cmd)
    samples: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            samples[name].append(timed(cmd))
    base = statistics.median(samples["import numpy"])
    print(f"{'kind':<24} {'median ms':>10} {'ratio':>7}")
    for name, times in samples.items():
        ratio = statistics.median(times) / base
        flag = "" if ratio <= TARGET or name == "import numpy" else "  over target"
        print(f"{name:<24} {statistics.median(times) * 1000:>10.1f} {ratio:>7.2f}{flag}")


if __name__ == "__main__":
    main()

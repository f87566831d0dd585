"""Start-up time of `dltutor solve` on a shape question against `python -c "import numpy"`.

Both commands run alternately in one run (so machine load hits both alike) and
the script prints the medians and their ratio. Target: ratio <= 1.5.

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
    "dltutor solve conv-output --json": [sys.executable, "-m", "dltutor", "solve", "conv-output",
                                         "--input", "28", "--kernel", "5", "--json"],
    "dltutor solve pool-output": [sys.executable, "-m", "dltutor", "solve", "pool-output",
                                  "--input", "24", "--pool", "2"],
    "dltutor solve params --json": [sys.executable, "-m", "dltutor", "solve", "params",
                                    "Input(28,28,1) -> Conv2D(6,5) -> MaxPooling2D(2) -> Flatten -> Dense(10)",
                                    "--json"],
}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for cmd in COMMANDS.values():  # warm the file cache
        timed(cmd)
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, cmd in COMMANDS.items():
            samples[name].append(timed(cmd))
    base = statistics.median(samples["python -c 'import numpy'"])
    print(f"{'command':<36} {'median ms':>10} {'ratio':>7}")
    for name, times in samples.items():
        med = statistics.median(times)
        print(f"{name:<36} {med * 1000:>10.1f} {med / base:>7.2f}")


if __name__ == "__main__":
    main()

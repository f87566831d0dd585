"""Start-up of the TUI: from launching ``dltutor`` to the first painted home screen.

Runs the real entry point in a pseudo-terminal (80x24) with a fresh progress
folder, reads the terminal output until the home screen's "Topics" panel has
been drawn, then quits it with Ctrl+Q. The figure includes Python's own
start-up. Prints the median and the best of N runs.

    python benchmarks/bench_tui_startup.py [N]
"""

from __future__ import annotations

import fcntl
import os
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

MARKER = b"Topics"


def one_run(timeout: float = 20.0) -> float:
    home = tempfile.mkdtemp(prefix="dltutor-bench-")
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, DLTUTOR_HOME=home, TERM="xterm-256color", COLUMNS="80", LINES="24")
    exe = shutil.which("dltutor") or sys.executable
    args = [exe] if exe.endswith("dltutor") else [exe, "-m", "dltutor"]
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while MARKER not in seen:
            left = timeout - (time.perf_counter() - start)
            if left <= 0:
                raise SystemExit(f"the home screen was not drawn within {timeout} s")
            ready, _, _ = select.select([master], [], [], left)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    raise SystemExit("dltutor exited before drawing the home screen") from None
        elapsed = time.perf_counter() - start
        os.write(master, b"\x11")          # Ctrl+Q
        end = time.monotonic() + 5
        while proc.poll() is None and time.monotonic() < end:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=10)
        os.close(master)
        shutil.rmtree(home, ignore_errors=True)
    return elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    one_run()                                   # warm the file cache and the .pyc files
    times = [one_run() for _ in range(n)]
    print(f"dltutor TUI start-up to the first painted home screen (80x24, {n} runs): "
          f"median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

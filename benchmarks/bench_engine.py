"""Speed and memory of the NumPy engine against PyTorch (CPU), the same models side by side.

    /tmp/refenv/bin/python benchmarks/bench_engine.py [--repeat 3]

Each (case, framework) runs in a fresh subprocess, so the peak resident memory
(resource.ru_maxrss, minus the process's size after imports and data set-up) belongs
to that run alone; the engine's peak Python/NumPy allocation is also measured with
tracemalloc. Times are the best of --repeat runs. The cases:

    mlp   digits (1,797 x 64), Input(64) -> Dense(64, relu) -> Dense(10, softmax), Adam,
          batch 64, 10 epochs of full training (shuffle, forward, backward, update)
    cnn   Conv2D(8, 3x3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(10), random 28x28x1
          batches of 64, forward + backward (loss cce), 50 batches
    lstm  LSTM(32) over 20 steps of 8 features -> Dense(10), batches of 64, forward + backward, 50 batches

The engine is float32, as PyTorch's default. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

SPECS = {
    "mlp": "Input(64) -> Dense(64, relu) -> Dense(10, softmax)",
    "cnn": "Input(28,28,1) -> Conv2D(8, 3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(10, softmax)",
    "lstm": "Input(20, 8) -> LSTM(32) -> Dense(10, softmax)",
}
BATCH, BATCHES, EPOCHS = 64, 50, 10


def _data(case):
    rng = np.random.default_rng(0)
    if case == "mlp":
        from dltutor.nn import datasets

        return datasets.load("digits", seed=0)
    shape = (28, 28, 1) if case == "cnn" else (20, 8)
    return rng.standard_normal((BATCH * BATCHES,) + shape).astype(np.float32), rng.integers(0, 10, BATCH * BATCHES)


def _rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(case):
    from dltutor.nn import build
    from dltutor.nn.training import Trainer, labels_to_targets

    X, y = _data(case)
    model = build(SPECS[case], seed=0).compile(loss="cce", optimizer="adam", lr=0.001)
    from dltutor.nn import losses

    Y, _ = labels_to_targets(model, y, len(X))

    def work():
        if case == "mlp":
            model.fit(X, y, epochs=EPOCHS, batch_size=BATCH)
            return
        for b in range(BATCHES):
            sl = slice(b * BATCH, (b + 1) * BATCH)
            P = model.forward(X[sl], training=True)
            np.mean(model.loss.value(Y[sl], P))
            model.backward(losses.softmax_cce_grad(Y[sl], P), fused=True)

    base = _rss_mb()
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    peak = _rss_mb() - base
    tracemalloc.start()                 # a second, untimed pass: tracemalloc slows allocations down
    work()
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"seconds": seconds, "peak_mb": peak, "traced_mb": traced}


def run_torch(case):
    import torch

    if os.environ.get("BENCH_THREADS"):
        torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
    torch.manual_seed(0)
    X, y = _data(case)
    Xt, yt = torch.tensor(X), torch.tensor(y).long()
    nn = torch.nn
    if case == "mlp":
        model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    elif case == "cnn":
        model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(13 * 13 * 8, 10))
        Xt = Xt.permute(0, 3, 1, 2).contiguous()
    else:
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm, self.out = nn.LSTM(8, 32, batch_first=True), nn.Linear(32, 10)

            def forward(self, x):
                return self.out(self.lstm(x)[0][:, -1])
        model = Net()
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    base = _rss_mb()
    start = time.perf_counter()
    if case == "mlp":
        gen = torch.Generator().manual_seed(0)
        for _ in range(EPOCHS):
            order = torch.randperm(len(Xt), generator=gen)
            for i in range(0, len(Xt), BATCH):
                idx = order[i:i + BATCH]
                opt.zero_grad()
                loss_fn(model(Xt[idx]), yt[idx]).backward()
                opt.step()
    else:
        for b in range(BATCHES):
            sl = slice(b * BATCH, (b + 1) * BATCH)
            model.zero_grad()
            loss_fn(model(Xt[sl]), yt[sl]).backward()
    return {"seconds": time.perf_counter() - start, "peak_mb": _rss_mb() - base, "traced_mb": None}


def worker(case, framework):
    result = (run_engine if framework == "engine" else run_torch)(case)
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS/torch threads for both sides (default: the libraries' own choice)")
    parser.add_argument("--worker", nargs=2, metavar=("CASE", "FRAMEWORK"))
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    env = dict(os.environ)
    if args.threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BENCH_THREADS"):
            env[var] = str(args.threads)
    targets = {"mlp": 1.0, "cnn": 2.0, "lstm": 1.5}
    print(f"threads: {args.threads or 'library default'}; best of {args.repeat}")
    print(f"{'case':6} {'engine s':>9} {'torch s':>9} {'ratio':>6} {'target':>6} "
          f"{'engine MB':>10} {'(traced)':>9} {'torch MB':>9}")
    for case in SPECS:
        best = {}
        for framework in ("engine", "torch"):
            runs = [json.loads(subprocess.run([sys.executable, __file__, "--worker", case, framework],
                                              capture_output=True, text=True, check=True, env=env).stdout)
                    for _ in range(args.repeat)]
            best[framework] = min(runs, key=lambda r: r["seconds"])
            best[framework]["peak_mb"] = max(r["peak_mb"] for r in runs)
        e, t = best["engine"], best["torch"]
        print(f"{case:6} {e['seconds']:9.3f} {t['seconds']:9.3f} {e['seconds'] / t['seconds']:6.2f} "
              f"{targets[case]:6.1f} {e['peak_mb']:10.1f} {e['traced_mb']:9.1f} {t['peak_mb']:9.1f}")


if __name__ == "__main__":
    main()

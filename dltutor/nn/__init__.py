"""The vectorized NumPy deep-learning engine: layers with explicit backward passes,
losses, optimizers and a small Keras-like model API (see CLI.md, "Python API").

    from dltutor.nn import build, datasets
    X, y = datasets.load("spiral", samples=300, classes=3, seed=0)
    model = build("Input(2) -> Dense(32, relu) -> Dense(3, softmax)", seed=0)

``build`` and ``datasets`` are imported on first use, so the calculator's imports of
``dltutor.nn.activations`` stay light.
"""


def __getattr__(name):
    if name == "build":
        from dltutor.nn.model import build

        return build
    if name == "datasets":
        from dltutor.nn import data

        return data
    if name == "Sequential":
        from dltutor.nn.model import Sequential

        return Sequential
    raise AttributeError(f"module 'dltutor.nn' has no attribute {name!r}")


__all__ = ["build", "datasets", "Sequential"]

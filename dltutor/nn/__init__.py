"""The vectorized NumPy deep-learning engine: layers with explicit backward passes,
losses, optimizers and a small Keras-like model API (see CLI.md, "Python API")."""

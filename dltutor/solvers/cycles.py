"""A perceptron run that cycles: the weights at the end of an epoch repeat an earlier epoch's.

From then on every epoch repeats the cycle, so the run never converges; by the perceptron
convergence theorem that happens only when the data are not linearly separable. The solvers
list the epochs up to the first repeat, end it with ``note``, and compute the rest unlisted
(the answer stays the weights after the last epoch asked for).
"""

from __future__ import annotations

import numpy as np


class WeightHistory:
    """The weights (w, b) at the end of every epoch, epoch 0 being the start."""

    def __init__(self, w: np.ndarray, b: float):
        self.seen = {self._key(w, b): 0}
        self.cycled = False          # set at the first repeat; later epochs are not listed

    @staticmethod
    def _key(w: np.ndarray, b: float) -> tuple:
        return tuple(float(v) for v in w), float(b)

    def note(self, w: np.ndarray, b: float, epoch: int, epochs: int) -> str:
        """The note of an epoch that updated the weights: "" or, at the first repeat, why the run
        stops being listed. Records the epoch's weights."""
        key = self._key(w, b)
        earlier = self.seen.setdefault(key, epoch)
        if self.cycled or earlier == epoch:
            return ""
        self.cycled = True
        since = "the start" if earlier == 0 else f"epoch {earlier}"
        cycle = f"epoch {epoch}" if earlier + 1 == epoch else f"epochs {earlier + 1} to {epoch}"
        text = (f"the weights are back to those after {since}, so the later epochs repeat {cycle} and "
                f"training never converges: the data are not linearly separable")
        if epoch < epochs:
            text += f" (epochs {epoch + 1} to {epochs} are not shown; the answer is after epoch {epochs})"
        return text

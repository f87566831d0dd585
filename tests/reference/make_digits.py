"""Make dltutor/nn/digits.npz, the 8x8 handwritten digits shipped with the engine.

Run once with the reference environment:  /tmp/refenv/bin/python tests/reference/make_digits.py

Source: scikit-learn's bundled copy of the UCI ML "Optical Recognition of Handwritten
Digits" test set (sklearn.datasets.load_digits: 1,797 images, 8x8 pixels with values
0..16, labels 0..9). scikit-learn is distributed under the BSD 3-Clause licence
(Copyright (c) 2007-2024 The scikit-learn developers); the data originate from
E. Alpaydin and C. Kaynak, UCI Machine Learning Repository.
The file stores the pixels as uint8 (they are whole numbers 0..16) and the labels as uint8,
compressed: about 30 kB, so scikit-learn is not needed at run time.
"""

from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

OUT = Path(__file__).resolve().parents[2] / "dltutor" / "nn" / "digits.npz"


def main() -> None:
    digits = load_digits()
    images = digits.images.astype(np.uint8)          # (1797, 8, 8), values 0..16
    assert np.array_equal(images, digits.images)
    np.savez_compressed(OUT, images=images, labels=digits.target.astype(np.uint8),
                        source=np.array("scikit-learn load_digits (UCI optdigits test set), BSD-3-Clause"))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(images)} images)")


if __name__ == "__main__":
    main()

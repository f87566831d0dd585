"""The training lab's chart axes and map size: whole epochs, round evenly spaced values, no stretching."""

import math

import pytest

from dltutor.tui.lab import epoch_ticks, fit_aspect, tick_labels, value_ticks


@pytest.mark.parametrize("last, expected", [(100, [20, 40, 60, 80, 100]), (30, [5, 10, 15, 20, 25, 30]),
                                            (5, [1, 2, 3, 4, 5]), (1, [1]),
                                            (300, [50, 100, 150, 200, 250, 300])])
def test_epoch_ticks_are_whole_round_epochs(last, expected):
    assert epoch_ticks(last) == expected


@pytest.mark.parametrize("lo, hi, rows", [(0.0415, 0.69, 3), (0.2541, 0.69, 6), (0.01, 2.3, 9), (0.5, 0.5, 3),
                                          (0, 0, 2), (-1e-3, 1e-3, 6), (1e-9, 2e-9, 5), (100, 1e5, 9),
                                          (float("nan"), 1.0, 5)])
def test_value_ticks_are_evenly_spaced_and_cover_the_values(lo, hi, rows):
    ticks = value_ticks(lo, hi, rows)
    steps = {round(b - a, 12) for a, b in zip(ticks, ticks[1:])}
    assert len(ticks) >= 3 and len(steps) == 1                    # evenly spaced
    if math.isfinite(lo):
        assert ticks[0] <= lo + 1e-12 and ticks[-1] >= hi - 1e-12    # the data fit between the ends
    step = steps.pop()
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5))   # a round step


def test_value_ticks_fall_on_evenly_spaced_rows():
    # 9 rows: 8 row gaps, so 4 or 2 tick gaps put every tick on a row
    assert len(value_ticks(0.1, 0.7, 9)) - 1 in (2, 4)


@pytest.mark.parametrize("ticks, labels", [([0.0, 0.25, 0.5], ["0.00", "0.25", "0.50"]), ([0, 1, 2], ["0", "1", "2"]),
                                           ([1e-9, 2e-9], ["1e-09", "2e-09"])])
def test_tick_labels_share_their_decimals(ticks, labels):
    assert tick_labels(ticks) == labels


@pytest.mark.parametrize("width, height, xs, ys, expected", [
    (34, 12, 3.0, 1.5, (34, 8)),      # wide data: full width, fewer rows (a cell is twice as tall as wide)
    (34, 12, 1.0, 1.0, (24, 12)),     # square data in a box too short for it: full height
    (40, 40, 2.0, 2.0, (40, 20)),
])
def test_fit_aspect_keeps_the_data_shape(width, height, xs, ys, expected):
    assert fit_aspect(width, height, xs, ys) == expected

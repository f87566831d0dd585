"""Recurrent layers by hand: SimpleRNN, LSTM and GRU, one time step after another.

Shapes: a sequence ``x`` is (T, F), T time steps of F inputs; a layer has u
units. The gates of the LSTM and GRU act on the concatenation
``[h_(t-1), x_t]``, hidden part first: each gate's W is (u, u + F), one row
per unit, and its bias b is (u,). Products of two vectors are element by
element (⊙).

    rnn   h_t = act(W_x x_t + W_h h_(t-1) + b)             W_x (u, F), W_h (u, u)
    lstm  f, i, o = sigmoid(W [h_(t-1), x_t] + b),  c̃ = tanh(W_c [h_(t-1), x_t] + b_c)
          c_t = f ⊙ c_(t-1) + i ⊙ c̃,  h_t = o ⊙ tanh(c_t)
    gru   z, r = sigmoid(W [h_(t-1), x_t] + b),  h̃ = tanh(W_h [r ⊙ h_(t-1), x_t] + b_h)
          h_t = z ⊙ h_(t-1) + (1 − z) ⊙ h̃      (Keras reset_after=False; z keeps the old state)

A one-unit layer answers with numbers, a wider one with lists (CLI.md, "Conventions").
"""

from __future__ import annotations

import re

import numpy as np

from dltutor import values
from dltutor.errors import InputError
from dltutor.nn.activations import sigmoid
from dltutor.solution import Filled, Solution, Step, Table, fill
from dltutor.solvers.registry import Option, choice, matrix, register, vector

MAX_TIME = 100      # time steps: every step is written out, so keep it readable
MAX_UNITS = 16

ACTIVATIONS = {
    "tanh": (np.tanh, "tanh(@)"),
    "sigmoid": (sigmoid, "sigmoid(@)"),
    "relu": (lambda a: np.maximum(a, 0.0), "max(0, @)"),
    "linear": (lambda a: a, "@"),
}

RNN_SUM = "W_x·x_t + W_h·h_(t-1) + b"        # the column of a several-unit table, as the steps write it
HIDDEN_FIRST = ("weights act on [h_(t-1), x_t], hidden part first: a one-unit gate is w_h,w_x "
                "(some texts write [x_t, h_(t-1)]: then the columns "
                "come in the other order)")


# ------------------------------------------------------------------ inputs

def sequence(text: str, what: str) -> np.ndarray:
    """``--x``: a VEC (``1,2,3``) is T scalar inputs, a MAT (``1,0;0,1``) one row per time step → (T, F)."""
    text = values.check_length(text, what)
    if ";" in text or re.match(r"\[\s*\[", text):
        seq = values.parse_matrix(text, what)
    else:
        seq = values.parse_vector(text, what)[:, None]
    if len(seq) > MAX_TIME:
        raise InputError(f"{what} has {len(seq)} time steps; the limit is {MAX_TIME}")
    return seq


def per_unit(v: np.ndarray, units: int, what: str, name: str) -> np.ndarray:
    """A bias or initial state: one value per unit, or one value shared by all units."""
    v = np.asarray(v, dtype=float).ravel()
    if v.size == 1:
        return np.full(units, v[0])
    if v.size != units:
        raise InputError(f"{what} has {values.plural(v.size, 'value')} but the layer has {values.plural(units, 'unit')}: "
                         f"give one {name} per unit (or one number for all)")
    return v


def check_units(units: int, what: str) -> None:
    if units > MAX_UNITS:
        raise InputError(f"{what} has {units} rows (units); the limit is {MAX_UNITS}")


def check_gates(gates: list[tuple[str, str, np.ndarray | None]], inputs: int) -> int:
    """Every gate weight matrix is (units, units + inputs); the units come from the first gate's rows."""
    for option, label, w in gates:
        if w is None:
            raise InputError(f"{option} ({label} weights) is missing: one row per unit on "
                             f"[h_(t-1), x_t], hidden part first, e.g. {option} 0.5,0.3 for one unit and one input")
    first, _, w0 = gates[0]
    units = w0.shape[0]
    check_units(units, first)
    for option, _, w in gates[1:]:
        if w.shape[0] != units:
            raise InputError(f"{option} has {values.plural(w.shape[0], 'row')} but {first} has {units}: "
                             "every gate has one row per unit")
    expected = units + inputs
    wrong = [(option, w.shape[1]) for option, _, w in gates if w.shape[1] != expected]
    rule = (f"units + inputs = {units} + {inputs} = {expected} columns, hidden part first "
            "(the weights on h_(t-1), then those on x_t)")
    if wrong and len(wrong) == len(gates) and len({cols for _, cols in wrong}) == 1:
        raise InputError(f"--x has {values.plural(inputs, 'value')} per time step, but the gate weights have "
                         f"{values.plural(wrong[0][1], 'column')}; with {values.plural(units, 'unit')} they need {rule}")
    if wrong:
        option, cols = wrong[0]
        raise InputError(f"{option} has {values.plural(cols, 'column')}; it needs {rule}")
    return units


def rnn_weights(x: np.ndarray, wx: np.ndarray, wh: np.ndarray) -> tuple[int, np.ndarray, list[str]]:
    """Check a simple RNN's W_x (units, inputs) and W_h (units, units) against the sequence x (T, inputs).

    Returns (units, W_x, notes): a flat list of u weights with one input per step is read as
    one weight per unit (a column), and a note says so. Errors name the option and both shapes."""
    inputs = x.shape[1]
    if wh.shape[0] != wh.shape[1]:
        raise InputError(f"--wh is {wh.shape[0]}x{wh.shape[1]}; it must be square, units x units "
                         "(one row and one column per unit)")
    units = wh.shape[0]
    check_units(units, "--wh")
    notes = []
    if wx.shape == (1, units) and inputs == 1 and units > 1:
        # one input per step: a flat list of u weights can only mean one weight per unit
        wx = wx.T
        notes.append("W_x is read as one weight per unit (a column), as each time step has one input")
    if wx.shape[0] != units:
        raise InputError(f"--wx has {values.plural(wx.shape[0], 'row')} but --wh is {units}x{units} ({values.plural(units, 'unit')}): "
                         "--wx needs one row per unit, one column per input")
    if wx.shape[1] != inputs:
        raise InputError(f"--x has {values.plural(inputs, 'value')} per time step but --wx has {values.plural(wx.shape[1], 'column')}: "
                         "--wx needs one column per input (and one row per unit)")
    return units, wx, notes


# ---------------------------------------------------------------- working

def shown(v: np.ndarray, units: int):
    """A per-unit quantity as the answer shows it: a number for one unit, else a list."""
    return float(v[0]) if units == 1 else [float(a) for a in v]


def weights_shown(w: np.ndarray):
    if w.shape == (1, 1):
        return float(w[0, 0])
    return [float(a) for a in w[0]] if w.shape[0] == 1 else w.tolist()


def factor(v: float) -> str:
    # negative numbers in parentheses, so that "0.5*(-0.2)" reads as a product
    return "({})" if v < 0 else "{}"


def explicit(pairs, b: float, row: int = 0) -> Filled:
    """w1*v1 + w2*v2 + ... + b for one unit (row of every W), every number shown."""
    parts, nums = [], []
    for w, v in pairs:
        for wj, vj in zip(w[row], v):
            parts.append(factor(wj) + "*" + factor(vj))
            nums += [float(wj), float(vj)]
    parts.append(factor(b))
    nums.append(float(b))
    return Filled(" + ".join(parts), tuple(nums))


def wrap(activation: str, filled: Filled) -> Filled:
    return Filled(ACTIVATIONS[activation][1].replace("@", filled.template), filled.values)


def gate(title: str, formula: str, activation: str, pairs, b: np.ndarray, column: str,
         note: str = "", sum_label: str = "W·[h_(t-1), x_t] + b") -> tuple[np.ndarray, Step]:
    """One gate (or an RNN state) for one time step: act(Σ W·v + b), with its worked step.

    ``pairs`` are (W, v) with W (u, len(v)). Several units: the step shows the matrix form
    and a table writes out every unit's sum."""
    activate, _ = ACTIVATIONS[activation]
    units = len(b)
    pre = sum(w @ v for w, v in pairs) + b
    out = activate(pre)
    if units == 1:
        return out, Step(title, formula, wrap(activation, explicit(pairs, b[0])), float(out[0]), note=note)
    matrix_form = Filled(" + ".join("{}*{}" for _ in pairs) + " + {}",
                         tuple(x for w, v in pairs for x in (w.tolist(), v.tolist())) + (b.tolist(),))
    rows = tuple((k + 1, explicit(pairs, b[k], k), float(pre[k]), float(out[k])) for k in range(units))
    table = Table(("unit", sum_label, "pre-activation", column), rows)
    return out, Step(title, formula, wrap(activation, matrix_form), out.tolist(), note=note, table=table)


def elementwise_note(units: int) -> str:
    return "products of vectors are element by element (⊙)" if units > 1 else ""


def sizes_step(units: int, inputs: int, steps: int, formula: str, substituted: Filled, note: str) -> Step:
    def count(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    title = f"Sizes: {count(units, 'unit')}, {count(inputs, 'input')} per time step, {count(steps, 'time step')}"
    return Step(title, formula, substituted, None, note=note)


def over_time(x: np.ndarray, columns: tuple[str, ...], per_step: list[tuple], h: list) -> Step:
    """The closing step: one table row per time step, the value is h_1..h_T."""
    rows = tuple((t, x_shown(x[t - 1]), *cells) for t, cells in enumerate(per_step, start=1))
    return Step("Hidden states over time", "h = [h_1, ..., h_T]", "", h,
                table=Table(("t", "x_t") + columns, rows))


def x_shown(row: np.ndarray):
    return float(row[0]) if len(row) == 1 else [float(a) for a in row]


def sequence_shown(x: np.ndarray):
    return [x_shown(row) for row in x]


# -------------------------------------------------------------------- rnn

@register(
    "rnn", topic="rnn",
    summary="hidden states of a simple RNN, step by step",
    options=[
        Option("x", sequence, "input sequence: 1,2,3 (one input per time step) or 1,0;0,1 "
               "(one row per time step)", required=True, metavar="VEC|MAT"),
        Option("wx", matrix, "input weights W_x: one row per unit, one column per input "
               "(a number for one unit and one input)", required=True, metavar="MAT", symbol="W_x"),
        Option("wh", matrix, "recurrent weights W_h: units × units (a number for one unit)",
               required=True, metavar="MAT", symbol="W_h"),
        Option("b", vector, "bias: one per unit (one number is shared)", default="0", metavar="VEC"),
        Option("h0", vector, "initial hidden state h₀: one per unit (one number is shared)",
               default="0", metavar="VEC"),
        Option("activation", choice("tanh", "relu", "sigmoid", "linear"), "activation of the state",
               default="tanh", metavar="NAME"),
    ],
    examples=["--x 1,2,3 --wx 1 --wh 1",
              '--x "1,0;0,1;1,1" --wx "0.5,-0.2;0.1,0.4" --wh "0.3,0.1;-0.2,0.6" --b 0,0.1'],
)
def rnn(x: np.ndarray, wx: np.ndarray, wh: np.ndarray, b: np.ndarray | None = None,
        h0: np.ndarray | None = None, activation: str = "tanh") -> Solution:
    """h_t = act(W_x·x_t + W_h·h_(t-1) + b) for t = 1..T; W_x (units, inputs), W_h (units, units)."""
    steps_count, inputs = x.shape
    units, wx, notes = rnn_weights(x, wx, wh)
    b = per_unit(np.zeros(1) if b is None else b, units, "--b", "bias")
    h = per_unit(np.zeros(1) if h0 is None else h0, units, "--h0", "initial state")
    inputs_shown = {"x": sequence_shown(x), "wx": weights_shown(wx), "wh": weights_shown(wh), "b": shown(b, units),
                    "h0": shown(h, units), "activation": activation}
    formula = "h_t = " + ACTIVATIONS[activation][1].replace("@", "W_x*x_t + W_h*h_(t-1) + b")
    steps = [sizes_step(units, inputs, steps_count, "W_x: units × inputs, W_h: units × units",
                        fill("{} × {}, {} × {}", units, inputs, units, units),
                        "; ".join(n for n in notes + [elementwise_note(units)] if n))]
    hs, table = [], []
    for t in range(1, steps_count + 1):
        h, step = gate(f"t = {t}: hidden state h_{t}", formula, activation, [(wx, x[t - 1]), (wh, h)], b, "h_t",
                       sum_label=RNN_SUM)
        steps.append(step)
        hs.append(shown(h, units))
        table.append((hs[-1],))
    steps.append(over_time(x, ("h_t",), table, hs))
    return Solution("rnn", inputs_shown, {"h": hs}, tuple(steps))


# ------------------------------------------------------------------- lstm

def gate_options(gates: list[tuple[str, str]]) -> list[Option]:
    out = []
    for g, label in gates:
        out.append(Option(f"w{g}", matrix, f"{label} weights W_{g} on [hₜ₋₁, xₜ], hidden part first, one row "
                          f"per unit (one unit: the weight on hₜ₋₁, then on xₜ) [required]", metavar="MAT",
                          symbol=f"W_{g}"))
        out.append(Option(f"b{g}", vector, f"{label} bias b_{g}: one per unit (one number is shared)",
                          default="0", metavar="VEC", symbol=f"b_{g}"))
    return out


def state_options() -> list[Option]:
    return [Option("x", sequence, "input sequence: 1,2,3 (one input per time step) or 1,0;0,1 "
                   "(one row per time step)", required=True, metavar="VEC|MAT"),
            Option("h0", vector, "initial hidden state h₀: one per unit (one number is shared)",
                   default="0", metavar="VEC")]


LSTM_GATES = [("f", "forget gate"), ("i", "input gate"), ("c", "candidate"), ("o", "output gate")]
GRU_GATES = [("z", "update gate"), ("r", "reset gate"), ("h", "candidate state")]


def prepare_gates(x: np.ndarray, given: dict, gates: list[tuple[str, str]]):
    """Check the gate weights against each other and the sequence; biases per unit."""
    units = check_gates([(f"--w{g}", label, given[f"w{g}"]) for g, label in gates], x.shape[1])
    weights = {g: given[f"w{g}"] for g, _ in gates}
    biases = {g: per_unit(np.zeros(1) if given[f"b{g}"] is None else given[f"b{g}"], units, f"--b{g}", "bias")
              for g, _ in gates}
    return units, weights, biases


def gate_inputs(x, units, weights, biases, states: dict) -> dict:
    out = {"x": sequence_shown(x)}
    out.update({k: shown(v, units) for k, v in states.items()})
    for g in weights:
        out[f"w{g}"] = weights_shown(weights[g])
        out[f"b{g}"] = shown(biases[g], units)
    return out


def product_fill(units: int, template: str, *vectors) -> Filled:
    """Elementwise formula with numbers: numbers for one unit (negatives in parentheses), else lists."""
    if units == 1:
        nums = [float(v[0]) for v in vectors]
        text = template.format(*(factor(n) for n in nums)).replace("(({}))", "({})")
        return Filled(text, tuple(nums))
    # vectors: the products are element by element, so write ⊙ rather than a dot
    text = template.replace("*", " ⊙ ").format(*("{}" for _ in vectors))
    return Filled(text, tuple(v.tolist() for v in vectors))


@register(
    "lstm", topic="rnn",
    summary="gates, cell states and hidden states of an LSTM, step by step",
    options=state_options() + [Option("c0", vector, "initial cell state c₀: one per unit "
                                          "(one number is shared)", default="0", metavar="VEC")]
    + gate_options(LSTM_GATES),
    examples=["--x 1,2 --wf 0.5,0.3 --bf 0.1 --wi 0.4,0.2 --wc 0.6,0.5 --wo 0.3,0.7",
              '--x "1,0;0,1" --wf "0.1,0.2,0.3,0.4;0.5,0.6,0.7,0.8" --wi "0.2,0.1,0.4,0.3;0.6,0.5,0.8,0.7" '
              '--wc "0.3,-0.1,0.2,-0.4;0.1,0.2,-0.3,0.5" --wo "0.4,0.3,0.2,0.1;-0.1,0.2,0.3,0.4"'],
)
def lstm(x: np.ndarray, h0=None, c0=None, wf=None, bf=None, wi=None, bi=None, wc=None, bc=None,
         wo=None, bo=None) -> Solution:
    """f, i, o = σ(W·[h_(t-1), x_t] + b), c_tilde = tanh(W_c·[h_(t-1), x_t] + b_c),
    c_t = f ⊙ c_(t-1) + i ⊙ c_tilde, h_t = o ⊙ tanh(c_t); each W is (units, units + inputs)."""
    units, w, b = prepare_gates(x, dict(wf=wf, bf=bf, wi=wi, bi=bi, wc=wc, bc=bc, wo=wo, bo=bo), LSTM_GATES)
    h = per_unit(np.zeros(1) if h0 is None else h0, units, "--h0", "initial state")
    c = per_unit(np.zeros(1) if c0 is None else c0, units, "--c0", "initial cell state")
    inputs = gate_inputs(x, units, w, b, {"h0": h, "c0": c})
    T, F = x.shape
    steps = [sizes_step(units, F, T, "W_f, W_i, W_c, W_o: units × (units + inputs)",
                        fill("{} × ({} + {})", units, units, F), HIDDEN_FIRST)]
    hs, cs, gates, table = [], [], [], []
    for t in range(1, T + 1):
        hx = np.concatenate([h, x[t - 1]])
        note = elementwise_note(units) if t == 1 else ""
        f, s_f = gate(f"t = {t}: forget gate f_{t}", "f_t = sigmoid(W_f*[h_(t-1), x_t] + b_f)", "sigmoid",
                      [(w["f"], hx)], b["f"], "f", note)
        i, s_i = gate(f"t = {t}: input gate i_{t}", "i_t = sigmoid(W_i*[h_(t-1), x_t] + b_i)", "sigmoid",
                      [(w["i"], hx)], b["i"], "i")
        ct, s_c = gate(f"t = {t}: candidate c_tilde_{t}", "c_tilde_t = tanh(W_c*[h_(t-1), x_t] + b_c)", "tanh",
                       [(w["c"], hx)], b["c"], "c_tilde")
        o, s_o = gate(f"t = {t}: output gate o_{t}", "o_t = sigmoid(W_o*[h_(t-1), x_t] + b_o)", "sigmoid",
                      [(w["o"], hx)], b["o"], "o")
        c_new = f * c + i * ct
        s_cell = Step(f"t = {t}: cell state c_{t}", "c_t = hadamard(f_t, c_(t-1)) + hadamard(i_t, c_tilde_t)",
                      product_fill(units, "{}*{} + {}*{}", f, c, i, ct), shown(c_new, units),
                      note="the forget gate scales the old memory, the input gate the candidate" if t == 1 else "")
        c = c_new
        h = o * np.tanh(c)
        s_h = Step(f"t = {t}: hidden state h_{t}", "h_t = hadamard(o_t, tanh(c_t))",
                   product_fill(units, "{}*tanh({})", o, c), shown(h, units))
        steps += [s_f, s_i, s_c, s_o, s_cell, s_h]
        record = {"f": shown(f, units), "i": shown(i, units), "c_tilde": shown(ct, units), "o": shown(o, units)}
        gates.append(record)
        hs.append(shown(h, units))
        cs.append(shown(c, units))
        table.append((*record.values(), cs[-1], hs[-1]))
    steps.append(over_time(x, ("f", "i", "c_tilde", "o", "c_t", "h_t"), table, hs))
    return Solution("lstm", inputs, {"h": hs, "c": cs, "gates": gates}, tuple(steps))


# -------------------------------------------------------------------- gru

@register(
    "gru", topic="rnn",
    summary="gates and hidden states of a GRU (Keras's form without reset after, or --reset-after), step by step",
    options=state_options() + gate_options(GRU_GATES) + [
        Option("reset-after", help="the cell of PyTorch and of Keras 3's default (reset after): "
               "h̃ = tanh(Wₕₓ·xₜ + b_h + r ⊙ (Wₕₕ·hₜ₋₁ + b′_h)), with recurrent biases b′_z, b′_r, b′_h "
               "(--rbz --rbr --rbh)", flag=True),
        Option("rbz", vector, "--reset-after: recurrent bias b′_z of z (Keras bias[1], PyTorch bias_hz)",
               metavar="VEC", symbol="bprime_z"),
        Option("rbr", vector, "--reset-after: recurrent bias b′_r of r (Keras bias[1], PyTorch bias_hr)",
               metavar="VEC", symbol="bprime_r"),
        Option("rbh", vector, "--reset-after: recurrent bias b′_h of the candidate, inside r ⊙ (…) "
               "(Keras bias[1], PyTorch bias_hn)", metavar="VEC", symbol="bprime_h"),
        Option("textbook-update", help="hₜ = (1 − z) ⊙ hₜ₋₁ + z ⊙ h̃ (many textbooks) instead of Keras's and "
               "PyTorch's hₜ = z ⊙ hₜ₋₁ + (1 − z) ⊙ h̃", flag=True),
    ],
    examples=["--x 1,2 --wz 0.5,0.3 --wr 0.4,0.2 --wh 0.6,0.5",
              "--x 1,2 --wz 0.5,0.3 --wr 0.4,0.2 --wh 0.6,0.5 --reset-after --rbh 0.1",
              "--x 1,2 --wz 0.5,0.3 --wr 0.4,0.2 --wh 0.6,0.5 --textbook-update",
              '--x "1,0;0,1;1,1" --wz "0.1,0.2,0.3,0.4;0.5,0.6,0.7,0.8" --wr "0.2,0.1,0.4,0.3;0.6,0.5,0.8,0.7" '
              '--wh "0.3,-0.1,0.2,-0.4;0.1,0.2,-0.3,0.5" --bh 0.1,-0.1'],
)
def gru(x: np.ndarray, h0=None, wz=None, bz=None, wr=None, br=None, wh=None, bh=None,
        reset_after: bool = False, rbz=None, rbr=None, rbh=None, textbook_update: bool = False) -> Solution:
    """z = σ(W_z·[h_(t-1), x_t] + b_z), r = σ(W_r·[h_(t-1), x_t] + b_r),
    h_tilde = tanh(W_h·[r ⊙ h_(t-1), x_t] + b_h), h_t = z ⊙ h_(t-1) + (1 − z) ⊙ h_tilde; each W is
    (units, units + inputs).

    --reset-after (PyTorch's cell, Keras 3's default): z and r add a recurrent bias b′ (bprime_z,
    bprime_r), and h_tilde = tanh(W_hx·x_t + b_h + r ⊙ (W_hh·h_(t-1) + bprime_h)), W_h = [W_hh, W_hx]
    split at the hidden part. --textbook-update: h_t = (1 − z) ⊙ h_(t-1) + z ⊙ h_tilde."""
    units, w, b = prepare_gates(x, dict(wz=wz, bz=bz, wr=wr, br=br, wh=wh, bh=bh), GRU_GATES)
    h = per_unit(np.zeros(1) if h0 is None else h0, units, "--h0", "initial state")
    inputs = gate_inputs(x, units, w, b, {"h0": h})
    given_rb = {"z": rbz, "r": rbr, "h": rbh}
    if not reset_after and any(v is not None for v in given_rb.values()):
        name = next(k for k, v in given_rb.items() if v is not None)
        raise InputError(f"--rb{name} is a recurrent bias of the --reset-after cell; add --reset-after "
                         f"(without it a GRU has one bias per gate)")
    rb = {g: per_unit(np.zeros(1) if v is None else v, units, f"--rb{g}", "recurrent bias")
          for g, v in given_rb.items()}
    if reset_after:
        inputs.update(reset_after=True, **{f"rb{g}": shown(v, units) for g, v in rb.items()})
    if textbook_update:
        inputs["textbook_update"] = True
    T, F = x.shape
    steps = [sizes_step(units, F, T, "W_z, W_r, W_h: units × (units + inputs)",
                        fill("{} × ({} + {})", units, units, F), HIDDEN_FIRST)]
    hs, gates, table = [], [], []
    for t in range(1, T + 1):
        hx = np.concatenate([h, x[t - 1]])
        if reset_after:
            z, s_z = gate(f"t = {t}: update gate z_{t}", "z_t = sigmoid(W_z*[h_(t-1), x_t] + b_z + bprime_z)",
                          "sigmoid", [(w["z"], hx)], b["z"] + rb["z"], "z",
                          "; ".join(n for n in ("the bias shown is b_z + bprime_z (input bias b and recurrent bias b′ "
                                                "add up outside the candidate)", elementwise_note(units)) if n)
                          if t == 1 else "")
            r, s_r = gate(f"t = {t}: reset gate r_{t}", "r_t = sigmoid(W_r*[h_(t-1), x_t] + b_r + bprime_r)",
                          "sigmoid", [(w["r"], hx)], b["r"] + rb["r"], "r")
            hh, s_hh = gate(f"t = {t}: recurrent part of the candidate", "u_t = W_hh*h_(t-1) + bprime_h", "linear",
                            [(w["h"][:, :units], h)], rb["h"], "u",
                            "W_hh = the hidden part of W_h (its first units columns)" if t == 1 else "")
            ht, s_ht = gate(f"t = {t}: candidate state h_tilde_{t}",
                            "h_tilde_t = tanh(W_hx*x_t + hadamard(r_t, u_t) + b_h)", "tanh",
                            [(w["h"][:, units:], x[t - 1]), (np.diag(r), hh)], b["h"], "h_tilde",
                            "the reset gate scales the recurrent product after it is taken (reset after, "
                            "as PyTorch)" if t == 1 else "")
            h_prev, h = h, ((1 - z) * h + z * ht if textbook_update else z * h + (1 - z) * ht)
            steps += [s_z, s_r, s_hh, s_ht, _gru_state(t, units, z, h_prev, ht, h, textbook_update)]
            record = {"z": shown(z, units), "r": shown(r, units), "h_tilde": shown(ht, units)}
            gates.append(record)
            hs.append(shown(h, units))
            table.append((*record.values(), hs[-1]))
            continue
        z, s_z = gate(f"t = {t}: update gate z_{t}", "z_t = sigmoid(W_z*[h_(t-1), x_t] + b_z)", "sigmoid",
                      [(w["z"], hx)], b["z"], "z", elementwise_note(units) if t == 1 else "")
        r, s_r = gate(f"t = {t}: reset gate r_{t}", "r_t = sigmoid(W_r*[h_(t-1), x_t] + b_r)", "sigmoid",
                      [(w["r"], hx)], b["r"], "r")
        rh = r * h
        s_rh = Step(f"t = {t}: reset old state r_{t} ⊙ h_{t - 1}", "hadamard(r_t, h_(t-1))",
                    product_fill(units, "{}*{}", r, h), shown(rh, units))
        ht, s_ht = gate(f"t = {t}: candidate state h_tilde_{t}", "h_tilde_t = tanh(W_h*[hadamard(r_t, h_(t-1)), x_t] + b_h)",
                        "tanh", [(w["h"], np.concatenate([rh, x[t - 1]]))], b["h"], "h_tilde",
                        "the reset gate scales h_(t-1) before the product with W_h (the Keras form "
                        "without reset after); PyTorch and Keras's default apply r after it" if t == 1 else "")
        h_prev, h = h, ((1 - z) * h + z * ht if textbook_update else z * h + (1 - z) * ht)
        s_h = _gru_state(t, units, z, h_prev, ht, h, textbook_update)
        steps += [s_z, s_r, s_rh, s_ht, s_h]
        record = {"z": shown(z, units), "r": shown(r, units), "h_tilde": shown(ht, units)}
        gates.append(record)
        hs.append(shown(h, units))
        table.append((*record.values(), hs[-1]))
    steps.append(over_time(x, ("z", "r", "h_tilde", "h_t"), table, hs))
    return Solution("gru", inputs, {"h": hs, "gates": gates}, tuple(steps))


def _gru_state(t: int, units: int, z, h_prev, ht, h, textbook: bool) -> Step:
    """h_t from z, h_(t-1) and the candidate, in the framework or the textbook convention."""
    if textbook:
        return Step(f"t = {t}: hidden state h_{t}", "h_t = hadamard(1 - z_t, h_(t-1)) + hadamard(z_t, h_tilde_t)",
                    product_fill(units, "(1 - {})*{} + {}*{}", z, h_prev, z, ht), shown(h, units),
                    note=("the textbook convention: z takes in the candidate (Keras and PyTorch let z "
                          "keep the old state)" if t == 1 else ""))
    return Step(f"t = {t}: hidden state h_{t}", "h_t = hadamard(z_t, h_(t-1)) + hadamard(1 - z_t, h_tilde_t)",
                product_fill(units, "{}*{} + (1 - {})*{}", z, h_prev, z, ht), shown(h, units),
                note=("z keeps the old state, as in Keras and PyTorch; some texts swap z and 1 - z"
                      if t == 1 else ""))

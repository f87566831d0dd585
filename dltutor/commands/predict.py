"""``dltutor predict``: the outputs of a model saved by ``dltutor train --save``, one row per input row.

A thin shell: read the spec and weights (``saved_model.load_model``), read the CSV rows, run the
engine's forward pass in inference mode (Dropout off, BatchNormalization on its moving statistics),
print. Each output row is the sample's output flattened in Keras's order (channels last).
"""

from __future__ import annotations

import json
import math

import click

from dltutor.commands.common import CONTEXT, examples_epilog, parse_digits

EXAMPLES = ["xor.npz --input points.csv", "xor.npz --input points.csv --json"]
PREPARE = ("\b\nThe examples use a model and rows made by:\n"
           "  dltutor train --data xor --save xor.npz\n"
           "  printf '0,0\\n0,1\\n1,0\\n1,1\\n' > points.csv")


@click.command(context_settings=CONTEXT, epilog=PREPARE + "\n\n" + examples_epilog("dltutor predict", EXAMPLES))
@click.argument("weights", metavar="WEIGHTS")
@click.option("--input", "input_path", required=True, metavar="X.csv",
              help="one sample per row, values separated by commas, in the order of the model's Input "
                   "(channels last: an 8x8x1 image is 64 values row by row)")
@click.option("--json", "as_json", is_flag=True, help='print one JSON object {"outputs": [[...], ...]}')
@click.option("--digits", default="6", metavar="N", show_default=True,
              help="significant digits of the numbers shown (JSON keeps full precision)")
def predict(weights, input_path, as_json, digits):
    """The outputs of a model saved by 'dltutor train --save', one row per input row.

    WEIGHTS is the .npz file that train --save wrote (it holds the model spec too).
    'dltutor convert' writes the same model as a PyTorch or Keras script that prints the
    same outputs.
    """
    from dltutor.commands.saved_model import load_model, read_rows

    n_digits = parse_digits(digits)
    model = load_model(weights)
    X = read_rows(input_path, model)
    Y = model.predict(X)
    outputs = Y.reshape(len(Y), -1).astype(float).tolist()
    if as_json:     # an overflow to inf or NaN is null in JSON
        finite = [[v if math.isfinite(v) else None for v in row] for row in outputs]
        click.echo(json.dumps({"outputs": finite}, allow_nan=False))
        return
    from dltutor.values import format_number

    for row in outputs:
        click.echo(",".join(format_number(v, n_digits) for v in row))

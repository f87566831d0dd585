"""``dltutor convert``: a model saved by ``dltutor train --save`` as a PyTorch or Keras script.

Writes FILE.py and, beside it, FILE.weights.npz: the trained weights in the target framework's
layouts (``dltutor.frameworks.layouts``). ``python FILE.py X.csv`` builds the model, loads the
weights and prints ``{"outputs": [[...], ...]}``, the numbers ``dltutor predict --json`` prints.
"""

from __future__ import annotations

import io
from pathlib import Path

import click

from dltutor.commands.common import CONTEXT, examples_epilog
from dltutor.errors import InputError

EXAMPLES = ["xor.npz --to pytorch -o xor_torch.py", "xor.npz --to keras -o xor_keras.py"]
PREPARE = ("\b\nThe examples use a model and rows made by:\n"
           "  dltutor train --data xor --save xor.npz\n"
           "  printf '0,0\\n0,1\\n1,0\\n1,1\\n' > points.csv\n"
           "and the scripts they write run as:\n"
           "  python xor_torch.py points.csv\n"
           "  KERAS_BACKEND=torch python xor_keras.py points.csv")


@click.command(context_settings=CONTEXT, epilog=PREPARE + "\n\n" + examples_epilog("dltutor convert", EXAMPLES))
@click.argument("weights", metavar="WEIGHTS")
@click.option("--to", "framework", required=True, type=click.Choice(["pytorch", "keras"]),
              help="the framework of the script")
@click.option("-o", "--output", default=None, metavar="FILE.py",
              help="the script to write; the weights go beside it as FILE.weights.npz "
                   "[default: WEIGHTS's name with _torch.py or _keras.py]")
def convert(weights, framework, output):
    """Write a model saved by 'dltutor train --save' as a PyTorch or Keras script, its weights loaded.

    'python FILE.py X.csv' prints {"outputs": [[...], ...]}, as 'dltutor predict WEIGHTS
    --input X.csv --json' does (within 1e-5). The weights are converted layer by layer:
    Dense kernels transposed, convolution kernels to (out, in, kh, kw), recurrent weights
    transposed with PyTorch's second bias, GRU gates reordered (z, r, h -> r, z, n),
    Bidirectional layers direction by direction, attention kernels flattened per head.
    """
    import numpy as np

    from dltutor.commands.saved_model import load_model, saved_arrays
    from dltutor.files import check_path, write_atomic
    from dltutor.frameworks.emit import converted
    from dltutor.modelspec import resolve

    suffix = "_torch.py" if framework == "pytorch" else "_keras.py"
    script_path = check_path(output or Path(weights).stem + suffix, "-o")
    if script_path.suffix != ".py":
        raise InputError(f"-o {str(script_path)!r} must name a Python file ending in .py")
    if not script_path.parent.is_dir():
        raise InputError(f"-o {str(script_path)!r}: the folder {str(script_path.parent)!r} does not exist")
    weights_path = script_path.with_suffix(".weights.npz")
    model = load_model(weights)
    if weights_path.resolve() == Path(weights).resolve():
        raise InputError(f"-o {str(script_path)!r} would write its weights over {weights!r}; choose another name")
    script, arrays = converted(resolve(model.spec), saved_arrays(model), framework, weights_path.name,
                               Path(weights).name)

    def save(handle):
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        handle.write(buffer.getvalue())

    write_atomic(weights_path, save, label="-o")
    write_atomic(script_path, script)
    run = (f"python {script_path} X.csv (it needs PyTorch: pip install torch)" if framework == "pytorch" else
           f"KERAS_BACKEND=torch python {script_path} X.csv (it needs Keras 3 and the backend "
           f"KERAS_BACKEND names: pip install keras torch)")
    click.echo(f"wrote {script_path} and {weights_path}; run: {run}", err=True)

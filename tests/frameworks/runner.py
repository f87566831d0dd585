"""Run several generated scripts in one Python process (importing torch or Keras once) and print
what each printed, as one JSON object {script: {"stdout": ...} or {"error": traceback}}.

    python runner.py '[["a.py", "X.csv"], ["b.py"]]'

The framework tests start this in a subprocess: importing torch or Keras per script would
cost seconds each.
"""

import contextlib
import io
import json
import runpy
import sys
import traceback


def main(jobs):
    results = {}
    for script, *args in jobs:
        out = io.StringIO()
        sys.argv = [script, *args]
        try:
            with contextlib.redirect_stdout(out):
                runpy.run_path(script, run_name="__main__")
            results[script] = {"stdout": out.getvalue()}
        except BaseException:       # one broken script must not hide the others' results
            results[script] = {"error": traceback.format_exc(limit=6)}
    return results


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))

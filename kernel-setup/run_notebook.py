"""Execute a notebook headlessly on the tslab kernel (used by the notebook tests).

usage: .venv/bin/python kernel-setup/run_notebook.py NOTEBOOK [--out EXECUTED.ipynb] [--timeout SECONDS]

Runs every cell with nbclient in the notebook's own folder, then one extra
probe cell (not saved) that reports the active boltzlab backend. Prints a JSON
summary on stdout: cells run, error (if any), output MIME types per cell, the
number of image outputs, the backend, and the wall time. Exit status 1 on a
cell error.
"""
import argparse
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

PROBE = 'import * as boltzlabProbe from "boltzlab";\n"BOLTZLAB_BACKEND_PROBE=" + boltzlabProbe.backend()'
IMAGE_TYPES = ("image/png", "image/svg+xml")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("--out", default=None)
    ap.add_argument("--timeout", type=int, default=900)
    args = ap.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    n_cells = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(
        nb,
        kernel_name="tslab",
        timeout=args.timeout,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
    )
    t0 = time.time()
    error = None
    try:
        client.execute()
    except CellTimeoutError as e:
        error = f"timeout: {e}"
    except CellExecutionError as e:
        error = str(e)
    except Exception as e:  # kernel died, etc.
        error = f"{type(e).__name__}: {e}"
    elapsed = time.time() - t0

    probe = nb.cells.pop()
    backend = None
    for out in probe.get("outputs", []):
        text = out.get("data", {}).get("text/plain", "") if "data" in out else out.get("text", "")
        if "BOLTZLAB_BACKEND_PROBE=" in text:
            backend = text.split("BOLTZLAB_BACKEND_PROBE=")[1].strip().strip("'\"")

    cells = []
    images = 0
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        mimes = []
        for out in cell.get("outputs", []):
            if out.get("output_type") in ("display_data", "execute_result", "update_display_data"):
                types = sorted(out.get("data", {}).keys())
                mimes.append(types)
                if any(t in IMAGE_TYPES for t in types):
                    images += 1
            elif out.get("output_type") == "error":
                mimes.append(["error:" + out.get("ename", "")])
        cells.append({"index": k, "outputs": mimes})

    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        nbformat.write(nb, args.out)

    summary = {
        "notebook": args.notebook,
        "cells": n_cells,
        "error": error,
        "images": images,
        "backend": backend,
        "seconds": round(elapsed, 2),
        "outputs": cells,
    }
    print(json.dumps(summary))
    return 1 if error else 0


if __name__ == "__main__":
    sys.exit(main())

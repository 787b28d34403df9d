"""Write a notebook from a compact Python description (cells as ("md"|"code", text)).

Used by the project's notebook generators so that notebooks are committed
clean: no outputs, no execution counts, tslab kernelspec, stable cell ids.
"""
import hashlib
import json


def write_notebook(path, cells):
    out = []
    for k, (kind, text) in enumerate(cells):
        text = text.strip("\n")
        cid = hashlib.sha1(f"{path}:{k}:{text}".encode()).hexdigest()[:12]
        lines = text.split("\n")
        source = [l + "\n" for l in lines[:-1]] + [lines[-1]]
        if kind == "md":
            out.append({"cell_type": "markdown", "id": cid, "metadata": {}, "source": source})
        else:
            out.append({"cell_type": "code", "id": cid, "metadata": {}, "execution_count": None, "outputs": [], "source": source})
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "tslab", "display_name": "TypeScript (tslab)", "language": "typescript"},
            "language_info": {"name": "typescript", "file_extension": ".ts", "mimetype": "text/typescript"},
        },
        "cells": out,
    }
    with open(path, "w") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")

"""Many inputs at once: files, folders and glob patterns expanded into the inputs a recogniser reads
(:meth:`Recognizer.is_input`), each predicted on its own; an input that fails is listed with its
reason and the batch goes on (nothing is raised for one bad file)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import SignkitError
from ..paths import expand_inputs
from .recognizer import Recognizer


@dataclass
class BatchPrediction:
    """The result of :func:`predict_files`: ``predictions`` (``{"file", "top": [(gloss, probability),
    ...]}`` per input that was read, most likely gloss first, in input order), ``failed`` (``{"file",
    "reason"}`` per input or argument that could not be read), ``seconds`` (wall clock)."""

    predictions: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"predictions": [{"file": p["file"], "top": [{"gloss": g, "probability": q} for g, q in p["top"]]}
                                for p in self.predictions],
                "failed": list(self.failed), "seconds": self.seconds}


def find_inputs(rec: Recognizer, inputs: list[str | Path]) -> tuple[list[Path], list[dict]]:
    """The inputs of ``rec``'s kind named by files, folders (walked) and glob patterns, each once, and
    ``{"file", "reason"}`` for each argument that names nothing and each entry that cannot be read (see
    :func:`signkit.paths.expand_inputs`)."""
    pairs, missing, unreadable = expand_inputs(inputs, rec.is_input)
    return [p for p, _ in pairs], [{"file": a, "reason": r} for a, r in missing + unreadable]


def predict_files(rec: Recognizer, inputs: list[str | Path], k: int = 5,
                  on_result: Callable[[int, int, dict], None] | None = None) -> BatchPrediction:
    """Top-``k`` glosses of every input named by ``inputs`` (files, folders, globs; see
    :func:`find_inputs`). A file that cannot be read (truncated, wrong type, no hand found, non-finite
    numbers...) goes to ``failed`` with the reason and the rest are still done. ``on_result(i, n,
    entry)`` is called after each input (e.g. for a progress bar)."""
    t0 = time.perf_counter()
    files, failed = find_inputs(rec, inputs)
    out = BatchPrediction(failed=failed)
    for i, f in enumerate(files):
        try:
            entry = {"file": str(f), "top": rec.predict_file(f, k)}
            out.predictions.append(entry)
        except (SignkitError, OSError) as e:
            reason = str(e) or type(e).__name__
            entry = {"file": str(f), "reason": reason.removeprefix(f"{f}: ")}  # the file is named once
            out.failed.append(entry)
        if on_result is not None:
            on_result(i + 1, len(files), entry)
    out.seconds = time.perf_counter() - t0
    return out

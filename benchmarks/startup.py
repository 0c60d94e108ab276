"""Start-up time of the command line: ``signkit --help``, ``signkit models`` and ``signkit datasets``
against ``python -c pass`` in the same run (median of N runs each, interleaved). Writes docs/startup.md.

    .venv/bin/python benchmarks/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from train_table import ROOT, machine  # noqa: E402

COMMANDS = {"python -c pass": [sys.executable, "-c", "pass"],
            "signkit --help": [sys.executable, "-m", "signkit.cli", "--help"],
            "signkit models": [sys.executable, "-m", "signkit.cli", "models"],
            "signkit datasets": [sys.executable, "-m", "signkit.cli", "datasets"],
            "import signkit": [sys.executable, "-c", "import signkit"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", default=str(ROOT / "docs" / "startup.md"))
    a = ap.parse_args()
    times: dict[str, list[float]] = {k: [] for k in COMMANDS}
    for _ in range(a.runs):
        for name, cmd in COMMANDS.items():
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT)
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times["python -c pass"])
    lines = ["# Start-up time of the command line", "",
             f"Machine: {machine()}. Date: {time.strftime('%Y-%m-%d')}. Command: `.venv/bin/python "
             f"benchmarks/startup.py --runs {a.runs}` (each command {a.runs} times, interleaved; wall-clock median).",
             "", "| command | median (s) | min (s) | ratio to `python -c pass` |", "|---|---|---|---|"]
    for name, ts in times.items():
        med = statistics.median(ts)
        lines.append(f"| `{name}` | {med:.3f} | {min(ts):.3f} | {med / base:.1f} |")
    lines += ["", "`signkit --help` imports typer and rich only (the commands import `signkit.api` when they run); "
              "`signkit models` and `signkit datasets` answer from `signkit.catalog` (plain data, kept equal to the registries by a test), so none of them imports torch."]
    Path(a.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

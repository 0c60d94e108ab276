#!/usr/bin/env bash
# Create (or reuse) .venv with the pinned stack of ../shared/docs/STACK.md and install signkit.
# Reuses an existing .venv only when requirements, constraints and pyproject are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
STAMP=.venv/.signkit-setup
HASH=$(cat requirements.txt constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$HASH" ] && .venv/bin/python -c "import signkit" 2>/dev/null; then
  echo "setup: .venv is up to date" >&2
  exit 0
fi
echo "setup: creating .venv (pinned torch 2.13.0 CPU, lightning 2.6.6, ...; a few minutes)" >&2
rm -rf .venv
"$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
.venv/bin/python -m pip check >&2
echo "$HASH" > "$STAMP"
echo "setup: done" >&2

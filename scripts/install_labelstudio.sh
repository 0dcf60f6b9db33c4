#!/usr/bin/env bash
# Install the Label Studio server into a separate virtualenv (.venv-ls/) so its
# pinned dependencies never clash with the project's .venv.  Idempotent: does
# nothing when the pinned version is already installed.
#
#   scripts/install_labelstudio.sh            # installs into ./.venv-ls
#   LS_VENV=/some/dir scripts/install_labelstudio.sh
#
# label-studio 1.23.2 pins label-studio-sdk==2.1.2, the same SDK the project uses.
set -euo pipefail
LS_VERSION="${LS_VERSION:-1.23.2}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LS_VENV="${LS_VENV:-$ROOT/.venv-ls}"
PY="${PYTHON:-python3}"

if [ -x "$LS_VENV/bin/label-studio" ] && \
   [ "$("$LS_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("label-studio"))' 2>/dev/null)" = "$LS_VERSION" ]; then
    echo "label-studio $LS_VERSION already installed in $LS_VENV"
    exit 0
fi

start=$(date +%s)
[ -x "$LS_VENV/bin/python" ] || "$PY" -m venv "$LS_VENV"
"$LS_VENV/bin/python" -m pip install --quiet --upgrade pip
"$LS_VENV/bin/python" -m pip install --quiet "label-studio==$LS_VERSION"
echo "installed label-studio $LS_VERSION into $LS_VENV in $(( $(date +%s) - start )) s"

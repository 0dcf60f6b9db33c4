#!/usr/bin/env bash
# Start a local Label Studio server for annotating (127.0.0.1 only), from .venv-ls/.
#
#   scripts/install_labelstudio.sh                 # once
#   scripts/labelstudio_server.sh [PORT] [DATA_DIR]   # default 8080, ./.labelstudio-data
#
# Log in at http://127.0.0.1:PORT; take the API key from Account & Settings (Personal Access
# Token), then:  export LABEL_STUDIO_URL=http://127.0.0.1:PORT LABEL_STUDIO_API_KEY=...
# Set LS_USERNAME / LS_PASSWORD / LS_USER_TOKEN to create a known first user (the token is a
# legacy token; legacy tokens are enabled here so it works with govtag ls).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LS_BIN="${LABEL_STUDIO_BIN:-$ROOT/.venv-ls/bin/label-studio}"
PORT="${1:-8080}"
DATA_DIR="${2:-$ROOT/.labelstudio-data}"
[ -x "$LS_BIN" ] || { echo "error: $LS_BIN missing; run scripts/install_labelstudio.sh" >&2; exit 2; }
args=(start --no-browser --internal-host 127.0.0.1 --port "$PORT" --host "http://127.0.0.1:$PORT"
      --data-dir "$DATA_DIR")
[ -n "${LS_USERNAME:-}" ] && args+=(--username "$LS_USERNAME")
[ -n "${LS_PASSWORD:-}" ] && args+=(--password "$LS_PASSWORD")
[ -n "${LS_USER_TOKEN:-}" ] && args+=(--user-token "$LS_USER_TOKEN")
export LATEST_VERSION_CHECK=false LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN=true
export LABEL_STUDIO_BASE_DATA_DIR="$DATA_DIR"
exec "$LS_BIN" "${args[@]}"

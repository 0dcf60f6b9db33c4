#!/usr/bin/env bash
# Writes evaluate metrics (rules and a model) on the gold sets and predict outputs
# on the example reports into OUT, so that two runs can be compared with
#   diff -r OUT_BEFORE OUT_AFTER
# Usage: scripts/identity_check.sh OUT [MODEL] [SETS...]
#   MODEL defaults to models/default; SETS default to dev dev2 test train.
#   PREDICT=0: evaluate only; GOVTAG_SRC: the source tree to run (default: this checkout's src).
set -euo pipefail
out=${1:?usage: identity_check.sh OUT [MODEL] [SETS...]}
model=${2:-models/default}
shift $(( $# >= 2 ? 2 : 1 ))
sets=("$@")
[ ${#sets[@]} -eq 0 ] && sets=(dev dev2 test train)
gold=${GOLD:-/work/shared/gold}
root=$(cd "$(dirname "$0")/.." && pwd)
py="$root/.venv/bin/python"
export PYTHONPATH="${GOVTAG_SRC:-$root/src}" HF_HUB_OFFLINE=1
govtag() { "$py" -m govtag.cli "$@"; }
mkdir -p "$out/predict"
[ "${PREDICT:-1}" = 0 ] || for f in "$root"/data/examples/*.txt; do
  name=$(basename "$f" .txt)
  for fmt in json jsonl csv labelstudio; do
    govtag predict --rules -j 1 --format "$fmt" -o "$out/predict/$name.rules.$fmt" "$f"
    govtag predict --model "$model" -j 1 --format "$fmt" -o "$out/predict/$name.model.$fmt" "$f"
  done
done
for s in "${sets[@]}"; do
  govtag evaluate --rules --data "$gold/$s.json" -o "$out/eval/$s.rules" >/dev/null
  govtag evaluate --model "$model" --data "$gold/$s.json" -o "$out/eval/$s.model" >/dev/null
  rm -f "$out"/eval/$s.*/section_confusion.png
done
echo "written to $out"

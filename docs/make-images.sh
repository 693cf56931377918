#!/usr/bin/env bash
# Rebuild the README's pictures of each printout from a fresh demo database.
# Needs poppler-utils (pdftoppm) and the fonts of .ci/run. Usage: bash docs/make-images.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
export ZIYANG_DB="sqlite:///$work/demo.db"
ziyang-counter demo --no-tui >/dev/null
ziyang-counter init --phone 0915-4321234 >/dev/null
pick() { ziyang-counter request list --date "$1" --status "$2" --json | python3 -c "import json,sys; print(json.load(sys.stdin)['requests'][0]['ticket'])"; }
day=$(ziyang-counter demo --no-tui --json | python3 -c "import json,sys; print(json.load(sys.stdin)['latest_day'])")
pending=$(pick "$day" pending_materials)
referred=$(ziyang-counter request list --status referred --date "$day" --json | python3 -c "import json,sys; r=json.load(sys.stdin)['requests']; print(r[0]['ticket'])")
holder=$(ziyang-counter demo --no-tui --json | python3 -c "import json,sys; print(json.load(sys.stdin)['sample_id'])")
ziyang-counter print receipt "$pending" --out "$work/receipt-80mm.pdf" >/dev/null
ziyang-counter print receipt "$pending" --size a4 --out "$work/receipt-a4.pdf" >/dev/null
ziyang-counter print notice "$pending" --out "$work/notice.pdf" >/dev/null
ziyang-counter print transfer "$referred" --out "$work/transfer.pdf" >/dev/null
ziyang-counter print permit "$holder" --out "$work/permit.pdf" >/dev/null
ziyang-counter print daily-log --date "$day" --out "$work/daily-log.pdf" >/dev/null
for name in receipt-80mm receipt-a4 notice transfer permit daily-log; do
  pdftoppm -png -r 70 -f 1 -l 1 -singlefile "$work/$name.pdf" "docs/images/$name"
done
ls -l docs/images

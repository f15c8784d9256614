#!/usr/bin/env bash
# Renders a `corpuskit mixture --chart` SVG in headless Chromium (Debian's package, installed
# when missing) and saves a PNG screenshot, to check that the chart opens in a real browser.
#
# Usage: Tools/docs/render_chart.sh CHART.svg OUT.png
# With no arguments: makes the chart of llm-jp's en 15.6T mixture (needs ../shared) or, without
# shared data, of the CI fixture, and writes docs/mixture-chart.png.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if ! command -v chromium >/dev/null 2>&1; then
    echo "render_chart: installing chromium (Debian)" >&2
    if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi
if [[ $# -eq 0 ]]; then
    swift build --product corpuskit >/dev/null
    SHARED="${CORPUSKIT_SHARED:-$ROOT/../shared}"
    mkdir -p docs
    SVG="docs/mixture-chart.svg"
    if [[ -f "$SHARED/llm-jp-stats/num_tokens.tsv" ]]; then
        .build/debug/corpuskit mixture --counts "$SHARED/llm-jp-stats/num_tokens.tsv" \
            --spec Tests/Fixtures/mixture/llm-jp-4_en_15.6t.yaml --chart "$SVG" --title "llm-jp-4 en 15.6T" >/dev/null
    else
        .build/debug/corpuskit mixture --counts Tests/Fixtures/mixture/ci-num_tokens.tsv \
            --spec Tests/Fixtures/mixture/ci-spec.yaml --chart "$SVG" >/dev/null
    fi
    set -- "$SVG" docs/mixture-chart.png
fi
SVG="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
OUT="$2"
read -r W H < <(python3 - "$SVG" <<'PY'
import re, sys
head = open(sys.argv[1]).read(600)
w = re.search(r'width="([\d.]+)"', head).group(1); h = re.search(r'height="([\d.]+)"', head).group(1)
print(int(float(w)), int(float(h)))
PY
)
PROFILE="$(mktemp -d)"
trap 'rm -rf "$PROFILE"' EXIT
chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$PROFILE" \
    --window-size="$W,$H" --screenshot="$OUT" "file://$SVG" 2>/dev/null
[[ -s "$OUT" ]] || { echo "render_chart: chromium wrote no screenshot" >&2; exit 1; }
echo "render_chart: $OUT (${W}x${H}) from $SVG" >&2

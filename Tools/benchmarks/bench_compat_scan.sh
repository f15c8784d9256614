#!/usr/bin/env bash
# Benchmark of the `corpuskit compat shards` id-range scan (TokenIDScan): a 1 GB uint16 .bin
# (512 Mi random ids below the fixture vocabulary's 1,500, one 4 Mi-token document per sequence)
# is written with numpy, then `compat shards --sample 1 --json` runs REPEAT times and the scan's
# own timing (scan_seconds, scan_bytes) is printed. The first run may read from disk; later runs
# read the page cache. The machine is shared: repeat and take the best and the median.
#
# Usage: Tools/benchmarks/bench_compat_scan.sh [DIR (default /tmp/corpuskit-bench-scan)] [REPEAT (default 5)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DIR="${1:-/tmp/corpuskit-bench-scan}"
REPEAT="${2:-5}"
Tools/setup/setup_venv.sh
BIN="$(Tools/setup/build_release.sh 2>/dev/null)"
mkdir -p "$DIR"
if [[ ! -f "$DIR/scan.bin" ]]; then
    .venv/bin/python - "$DIR/scan" <<'PY'
import struct, sys
import numpy as np
prefix = sys.argv[1]
tokens, per_doc = 512 * 1024 * 1024, 4 * 1024 * 1024
rng = np.random.default_rng(1234)
with open(prefix + ".bin", "wb") as f:
    for _ in range(tokens // per_doc):
        f.write(rng.integers(0, 1500, per_doc, dtype=np.uint16).tobytes())
docs = tokens // per_doc
sizes = np.full(docs, per_doc, dtype=np.int32)
pointers = (np.arange(docs, dtype=np.int64) * per_doc * 2)
doc_idx = np.arange(docs + 1, dtype=np.int64)
with open(prefix + ".idx", "wb") as f:
    f.write(b"MMIDIDX\x00\x00" + struct.pack("<Q", 1) + struct.pack("<B", 8))
    f.write(struct.pack("<Q", docs) + struct.pack("<Q", docs + 1))
    f.write(sizes.tobytes() + pointers.tobytes() + doc_idx.tobytes())
PY
fi
for i in $(seq "$REPEAT"); do
    # Random ids do not round-trip: the verdict (exit 1) is not what is measured here.
    "$BIN" compat shards Tests/Fixtures/tokenizers/fixture-llmjp/fixture-llmjp.model "$DIR/scan" \
        --tokenizer-type GPTSentencePieceTokenizer --append-eod false --sample 1 --json >"$DIR/report.json" || true
    python3 -c 'import json,sys; s=json.load(sys.stdin)["shards"][0]; b=s["scan_bytes"]; t=s["scan_seconds"]; print("run: %.3f GB in %.3f s = %.2f GB/s" % (b/1e9, t, b/t/1e9))' <"$DIR/report.json"
done

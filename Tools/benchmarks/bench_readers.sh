#!/usr/bin/env bash
# Throughput of the CorpusKitReaders hot paths in an optimized build.
#
#   Tools/benchmarks/bench_readers.sh [MEGABYTES]      (default 200 MB per corpus)
#
# Generates an ASCII (English-like) and a Japanese JSON Lines corpus, compresses them with the
# zstd and gzip CLIs when present, compiles the reader sources together with a small driver with
# `swiftc -O` (no SwiftPM, so it does not disturb other builds), and prints MB/s of decompressed
# input for: line splitting only, and line splitting + full JSON validation + text extraction.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SIZE_MB="${1:-200}"
WORK="${BENCH_DIR:-${TMPDIR:-/tmp}/corpuskit-bench-readers}"
mkdir -p "$WORK"

python3 - "$WORK" "$SIZE_MB" <<'PY'
import json, os, random, sys
work, size = sys.argv[1], int(sys.argv[2]) << 20
rng = random.Random(1)
words = "the of and to in is was for on that with as by at from his her this which were are be an or it".split()
kana = [chr(c) for c in range(0x3041, 0x3097)] + [chr(c) for c in range(0x4E00, 0x4E00 + 2000, 7)] + ["、", "。"]
def write(name, make_text):
    path = os.path.join(work, name)
    if os.path.exists(path) and os.path.getsize(path) >= size:
        return
    with open(path, "w", encoding="utf-8") as out:
        written, index = 0, 0
        while written < size:
            line = json.dumps({"id": index, "text": make_text(), "meta": {"source": "bench", "score": rng.random()}},
                              ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode())
            index += 1
write("ascii.jsonl", lambda: " ".join(rng.choice(words) for _ in range(rng.randint(50, 1500))) + "\n\n\"end\"")
write("japanese.jsonl", lambda: "".join(rng.choice(kana) for _ in range(rng.randint(200, 3000))) + "\n終わり")
PY

for corpus in ascii japanese; do
    if command -v zstd >/dev/null && [ ! -f "$WORK/$corpus.jsonl.zst" ]; then
        zstd -q -3 -T0 -f "$WORK/$corpus.jsonl" -o "$WORK/$corpus.jsonl.zst"
    fi
    if command -v gzip >/dev/null && [ ! -f "$WORK/$corpus.jsonl.gz" ]; then
        gzip -6 -c "$WORK/$corpus.jsonl" > "$WORK/$corpus.jsonl.gz"
    fi
done

cat > "$WORK/main.swift" <<'SWIFT'
#if canImport(Glibc)
import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

func report(_ label: String, _ path: String, _ bytes: Int, _ seconds: Double, _ extra: String) {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let rate = Int(Double(bytes) / seconds / 1e6)
    let centiseconds = Int(seconds * 100)
    print("\(pad(label, 10)) \(pad(name, 20)) \(rate) MB/s  (\(bytes / 1_000_000) MB in \(centiseconds / 100).\(centiseconds % 100 < 10 ? "0" : "")\(centiseconds % 100) s\(extra))")
}

for path in CommandLine.arguments.dropFirst() {
    do {
        var start = now()
        let lines = try LineReader(path: path)
        var count = 0
        var bytes = 0
        while let line = try lines.next() {
            count += 1
            bytes += line.bytes.count + 1
        }
        report("lines", path, lines.source.decompressedBytesRead, now() - start, ", \(count) lines")

        start = now()
        let reader = try CorpusDocumentReader(path: path, keys: ["text"])
        var documents = 0
        var textBytes = 0
        var invalid = 0
        while let outcome = try reader.next() {
            switch outcome {
            case .document(let document):
                documents += 1
                textBytes += document[0].count
            case .blank: break
            case .invalid: invalid += 1
            }
        }
        report("documents", path, reader.lines.source.decompressedBytesRead, now() - start,
               ", \(documents) docs, \(invalid) invalid, \(textBytes / 1_000_000) MB text")
    } catch {
        print("error: \(error)")
        exit(1)
    }
}
SWIFT

BIN="$WORK/bench_readers"
swiftc -O -wmo -module-name BenchReaders \
    -I "$ROOT/Sources/CZstd" -I "$ROOT/Sources/CZlib" \
    "$ROOT"/Sources/CorpusKitReaders/*.swift "$WORK/main.swift" -o "$BIN"

FILES=()
for corpus in ascii japanese; do
    for suffix in jsonl jsonl.zst jsonl.gz; do
        [ -f "$WORK/$corpus.$suffix" ] && FILES+=("$WORK/$corpus.$suffix")
    done
done
cat "${FILES[@]}" > /dev/null  # warm the page cache
"$BIN" "${FILES[@]}"

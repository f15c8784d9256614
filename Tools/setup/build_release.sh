#!/usr/bin/env bash
# Builds the corpuskit executable as it ships: release mode, the Swift runtime and Foundation
# linked statically (`--static-swift-stdlib`), into .build-static/. Prints the binary's path.
#
# Why static: the binary then runs on machines without a Swift toolchain (Slurm compute nodes:
# copy one file), and it starts ~10 ms sooner (measured on this project's 2-core machine: an
# `encode` of an empty input, 27 vs 37 ms: no relocation of a dozen shared Swift libraries),
# which is a tenth of a small job. libstdc++ (which the Swift runtime needs) is linked statically
# too: `-lstdc++` finds the static archive first through a directory that holds only it
# (.build-static/static-libstdc++/, made here). Loading the shared one took ~1.7 ms of an empty
# `encode` of ~18 ms (BENCHMARKS.md, thirteenth session), and compute nodes then need no
# particular libstdc++. zstd and zlib stay shared; ICU is opened by the normalizers that need it
# (Sources/CICUShim/ck_icu.c), OpenBLAS by the `model` commands
# (Sources/CorpusKitInference/Model/OpenBLAS.swift). The binary stays position-independent
# (address-space randomisation), which costs ~2 ms a process in relocations (same section).
# The tests build separately (.build/, with -enable-testing; XCTest needs the shared runtime)
# and Tools/test.sh runs the command-line tests against this binary.
#
# Usage: Tools/setup/build_release.sh            (build output on stderr, the binary's path on stdout)
#        SCRATCH_PATH=DIR Tools/setup/build_release.sh   (another build directory, e.g. a baseline's)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SCRATCH="${SCRATCH_PATH:-$ROOT/.build-static}"
mkdir -p "$SCRATCH/static-libstdc++"
# The toolchain's clang knows which GCC installation (and so which libstdc++.a) it links with;
# failing that (swift found through a proxy), any clang or gcc on the PATH.
# (-print-file-name answers the bare name when it finds nothing, so the next compiler is asked.)
ARCHIVE=""
for compiler in "$(dirname "$(readlink -f "$(command -v swift)")")/clang" clang gcc; do
    if command -v "$compiler" >/dev/null 2>&1; then
        ARCHIVE="$("$compiler" -print-file-name=libstdc++.a 2>/dev/null || true)"
        [ -f "$ARCHIVE" ] && break
    fi
done
if [ -n "$ARCHIVE" ] && [ -f "$ARCHIVE" ]; then
    ln -sfn "$ARCHIVE" "$SCRATCH/static-libstdc++/libstdc++.a"
else
    echo "build_release.sh: no static libstdc++ ($ARCHIVE); linking the shared one" >&2
    rm -f "$SCRATCH/static-libstdc++/libstdc++.a"
fi
swift build -c release --product corpuskit --static-swift-stdlib --scratch-path "$SCRATCH" \
    -Xswiftc -L -Xswiftc "$SCRATCH/static-libstdc++" >&2
echo "$SCRATCH/release/corpuskit"

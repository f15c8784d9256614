#!/usr/bin/env bash
# Builds llama.cpp's `llama-bench` and `llama-perplexity` (CPU only, Release, -march=native) for
# Tools/benchmarks/bench_inference_llmjp.py --llama-cpp DIR. Benchmarks only: nothing in the package or
# its tests uses llama.cpp.
#
# The source is the llama.cpp that llama-cpp-python vendors (its PyPI source distribution, pinned below,
# holds the whole tree with `convert_hf_to_gguf.py` and `gguf-py`), fetched with pip like the other
# reference packages; cmake comes from PyPI into its own small venv when the machine has none.
# On the project's 2-core machine the build takes ~15-30 minutes (longer under load).
#
# Usage: Tools/setup/build_llama_cpp.sh [DIR]     (default /tmp/llama.cpp-src; prints DIR)
#        LLAMA_CPP_PYTHON=0.3.36 JOBS=2 CMAKE_VENV=/tmp/cmake-venv Tools/setup/build_llama_cpp.sh
set -euo pipefail
DIR="${1:-/tmp/llama.cpp-src}"
VERSION="${LLAMA_CPP_PYTHON:-0.3.36}"
JOBS="${JOBS:-2}"
if ! command -v cmake >/dev/null; then
    CMAKE_VENV="${CMAKE_VENV:-/tmp/cmake-venv}"
    [ -x "$CMAKE_VENV/bin/cmake" ] || { python3 -m venv "$CMAKE_VENV" && "$CMAKE_VENV/bin/pip" install -q cmake; } >&2
    export PATH="$CMAKE_VENV/bin:$PATH"
fi
if [ ! -f "$DIR/CMakeLists.txt" ]; then
    download="$(mktemp -d)"
    trap 'rm -rf "$download"' EXIT
    # --no-binary for this package only: its sdist (the source), while its build tools may come as wheels.
    python3 -m pip download -q --no-deps --no-binary llama-cpp-python "llama-cpp-python==$VERSION" -d "$download" >&2
    tar xzf "$download"/llama_cpp_python-"$VERSION".tar.gz -C "$download"
    mkdir -p "$(dirname "$DIR")"
    mv "$download/llama_cpp_python-$VERSION/vendor/llama.cpp" "$DIR"
fi
cmake -S "$DIR" -B "$DIR/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF \
    -DLLAMA_OPENSSL=OFF -DLLAMA_USE_PREBUILT_UI=OFF >&2
cmake --build "$DIR/build" -j"$JOBS" --target llama-bench llama-perplexity >&2
echo "$DIR"

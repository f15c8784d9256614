#!/usr/bin/env bash
# The test command: installs what is missing, generates the reference outputs of the real
# sentencepiece and HF tokenizers packages, builds in release mode and runs every test.
#
# Usage: Tools/test.sh [extra `swift test` arguments, e.g. --filter SharedConformanceTests]
# Environment: CORPUSKIT_SHARED (default ../shared): the llm-jp vocabularies and corpora; when it
# is absent the tests that need it skip with a message and the fixture tests still run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

source Tools/setup/install_deps.sh
Tools/setup/setup_venv.sh

export CORPUSKIT_SHARED="${CORPUSKIT_SHARED:-$ROOT/../shared}"
if [[ -d "$CORPUSKIT_SHARED/vocab" ]]; then
    echo "test: reference outputs for the llm-jp vocabularies in $CORPUSKIT_SHARED" >&2
    Tools/references/make_shared_references.sh
else
    echo "test: $CORPUSKIT_SHARED not found: llm-jp conformance tests will be skipped (fixture tests still run)" >&2
fi

# Release mode: the conformance suites encode ~10 MB per tokenizer file. -enable-testing lets
# test targets use @testable imports in release builds.
swift build -c release -Xswiftc -enable-testing --build-tests
# The command-line tests and the fuzz pass run the binary as it ships (static Swift runtime,
# Tools/setup/build_release.sh), not the test build's copy.
CORPUSKIT_EXECUTABLE="$(Tools/setup/build_release.sh)"
export CORPUSKIT_EXECUTABLE

# A short differential fuzzing pass (TESTING.md): corpuskit encode/decode against the reference
# libraries on 5,000 generated texts and 2,000 id sequences per tokenizer file, fixed seed.
F=Tests/Fixtures/tokenizers
fuzz_files=(--tokenizer "$F/fixture-llmjp/fixture-llmjp.model" --tokenizer "$F/fixture-llmjp/tokenizer.json"
            --tokenizer "$F/fixture-nfkc/fixture-nfkc.model" --tokenizer "$F/fixture-nfkc/tokenizer.json"
            --tokenizer "$F/fixture-bpe/fixture-bpe.model" --tokenizer "$F/fixture-bpe/tokenizer.json"
            --tokenizer "$F/fixture-bpe-bytes/fixture-bpe-bytes.model")
if [[ -d "$CORPUSKIT_SHARED/vocab" ]]; then
    for file in "$CORPUSKIT_SHARED"/vocab/llm-jp-*/*.model "$CORPUSKIT_SHARED"/vocab/llm-jp-*/tokenizer.json \
                "$CORPUSKIT_SHARED"/vocab/llama2/tokenizer.model \
                references/bpe-vocab/llama2/tokenizer.json references/bpe-vocab/llama2-ja/llama2-ja.model \
                references/bpe-vocab/llama2-ja/tokenizer.json; do
        fuzz_files+=(--tokenizer "$file")
    done
fi
.venv/bin/python -m Tools.ci.fuzz_conformance --texts 5000 --decode 2000 --seed 20261201 \
    --corpuskit "$CORPUSKIT_EXECUTABLE" "${fuzz_files[@]}"

# A single-node Slurm for the `corpuskit launch` tests (LaunchSlurmTests), stopped by PID on exit.
# As root it must start (CI); otherwise those tests skip with a message.
if [[ "$(id -u)" == 0 ]]; then
    slurm_dir="$(mktemp -d "${TMPDIR:-/tmp}/corpuskit-slurm.XXXXXX")"
    trap 'Tools/ci/slurm_test_cluster.sh stop "$slurm_dir"; rm -rf "$slurm_dir"' EXIT
    slurm_env="$(Tools/ci/slurm_test_cluster.sh start "$slurm_dir")"
    eval "$slurm_env"
    echo "test: Slurm test cluster up (SLURM_CONF=$SLURM_CONF)" >&2
else
    echo "test: not root: no Slurm test cluster, the Slurm launch tests will be skipped" >&2
fi
swift test -c release -Xswiftc -enable-testing --skip-build "$@"

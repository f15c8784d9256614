#!/usr/bin/env bash
# The reference environment for the inference fixtures (Tools/fixtures/make_inference_fixtures.py) and the
# transformers side of Tools/benchmarks/bench_inference.py: transformers on a CPU-only torch, and sentencepiece
# for the perplexity corpus. The fixtures are committed under Tests/Fixtures/inference.
#
# Usage: Tools/setup/setup_inference_venv.sh     # creates <repo>/.venv-inference
#        VENV=/some/dir Tools/setup/setup_inference_venv.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec "$ROOT/Tools/setup/setup_torch_venv.sh" "${VENV:-$ROOT/.venv-inference}" \
    "transformers==4.57.6 safetensors==0.7.0 sentencepiece==0.2.3 numpy"

#!/usr/bin/env bash
# The reference environment for the `corpuskit plan` / `replay` fixtures (Tools/fixtures/make_plan_fixtures.py):
# megatron-core 0.16.1 (its index arithmetic and compiled helpers_cpp) on a CPU-only torch.
#
# Usage: Tools/setup/setup_megatron_venv.sh          # creates <repo>/.venv-megatron
#        VENV=/some/dir Tools/setup/setup_megatron_venv.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec "$ROOT/Tools/setup/setup_torch_venv.sh" "${VENV:-$ROOT/.venv-megatron}" "megatron-core==0.16.1 numpy"

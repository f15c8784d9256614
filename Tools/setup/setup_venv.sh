#!/usr/bin/env bash
# Create (or reuse) the Python virtual environment the reference tools run in.
#
# Usage: Tools/setup/setup_venv.sh            # creates <repo>/.venv, prints nothing when already up to date
#        VENV=/some/dir Tools/setup/setup_venv.sh
#
# The environment holds the real libraries CorpusKit is compared against, at pinned versions:
# sentencepiece (Google's C++ library, Python binding) and tokenizers (Hugging Face, Rust), and
# transformers + protobuf for converting the BPE test vocabularies (Tools/references/make_bpe_vocabularies.py;
# tokenizer conversion needs no torch, and none is installed).
# A stamp file inside the venv records the requirement list; when it matches, nothing is done.
# On a fresh Debian/Ubuntu where `python3 -m venv` lacks ensurepip, python3-venv is installed with
# apt-get when running as root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
REQUIREMENTS="sentencepiece==0.2.3 tokenizers==0.23.3 numpy transformers==5.24.0 protobuf==7.36.2"
STAMP="$VENV/.corpuskit-requirements"

if [[ -x "$VENV/bin/python" && -f "$STAMP" && "$(cat "$STAMP")" == "$REQUIREMENTS" ]]; then
    exit 0
fi

if ! command -v "$PYTHON" >/dev/null 2>&1; then
    echo "setup_venv: $PYTHON not found" >&2
    exit 1
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    rm -rf "$VENV"
    if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
        rm -rf "$VENV"
        if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
            echo "setup_venv: installing python3-venv with apt-get" >&2
            # The versioned package (python3.X-venv) is what Debian/Ubuntu need for ensurepip.
            pyver="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null ||
                true
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${pyver}-venv" >/dev/null 2>&1 ||
                true
            "$PYTHON" -m venv "$VENV"
        else
            echo "setup_venv: '$PYTHON -m venv' failed; install python3-venv" >&2
            exit 1
        fi
    fi
fi

echo "setup_venv: installing $REQUIREMENTS into $VENV" >&2
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $REQUIREMENTS
printf '%s' "$REQUIREMENTS" >"$STAMP"

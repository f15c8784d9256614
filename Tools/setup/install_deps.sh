#!/usr/bin/env bash
# Install what CorpusKit needs on a fresh Debian/Ubuntu machine, skipping what is already there:
# the C libraries (found with pkg-config), the zstd and gzip tools used by tests, python3-venv,
# Debian's Slurm and munge when running as root (for the launch tests), and a Swift 6 toolchain on PATH (taken from /opt/swift when it is installed there).
#
# Usage: source Tools/setup/install_deps.sh   (so that a PATH change for Swift reaches the caller)
#    or: Tools/setup/install_deps.sh
set -euo pipefail

corpuskit_missing_packages() {
    local missing=()
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    if command -v pkg-config >/dev/null 2>&1; then
        pkg-config --exists icu-uc || missing+=(libicu-dev)
        pkg-config --exists libzstd || missing+=(libzstd-dev)
        pkg-config --exists zlib || missing+=(zlib1g-dev)
        pkg-config --exists openblas || [[ -e /usr/include/x86_64-linux-gnu/cblas.h || -e /usr/include/cblas.h ]] || missing+=(libopenblas-dev)
    else
        missing+=(libicu-dev libzstd-dev zlib1g-dev libopenblas-dev)
    fi
    command -v zstd >/dev/null 2>&1 || missing+=(zstd)
    command -v gzip >/dev/null 2>&1 || missing+=(gzip)
    python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
    # A single-node Slurm for the `corpuskit launch` tests (Tools/ci/slurm_test_cluster.sh); it runs
    # only as root (SlurmUser=root), so it is installed only then.
    if [[ "$(id -u)" == 0 ]]; then
        [[ -x /usr/sbin/slurmctld ]] || missing+=(slurmctld)
        [[ -x /usr/sbin/slurmd ]] || missing+=(slurmd)
        command -v sbatch >/dev/null 2>&1 || missing+=(slurm-client)
        [[ -x /usr/sbin/munged ]] || missing+=(munge)
    fi
    echo "${missing[@]:-}"
}

missing="$(corpuskit_missing_packages)"
if [[ -n "${missing// /}" ]]; then
    echo "install_deps: installing $missing" >&2
    if [[ "$(id -u)" == 0 ]]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    elif command -v sudo >/dev/null 2>&1; then
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    else
        echo "install_deps: please install: $missing (apt-get install $missing)" >&2
        exit 1
    fi
fi

if ! command -v swift >/dev/null 2>&1; then
    if [[ -x /opt/swift/usr/bin/swift ]]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    else
        echo "install_deps: no Swift toolchain found. Install Swift 6 (https://www.swift.org/install/linux/) and put it on PATH." >&2
        exit 1
    fi
fi

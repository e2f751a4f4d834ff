#!/usr/bin/env bash
# Configures and builds PoSE Studio with a CMake preset (default: release).
# Usage: scripts/build.sh [PRESET] [extra cmake --build args]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" "$@"

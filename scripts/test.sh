#!/usr/bin/env bash
# README command 2: install dependencies, build (Release) and run the whole test
# suite through ctest. Widget and app tests run offscreen: no display needed.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-deps.sh
./scripts/build.sh release
ctest --preset release "$@"

#!/usr/bin/env bash
# Installs every Debian package PoSE Studio needs to build, test and run.
# Idempotent: packages already present are left alone; a second run only checks.
set -euo pipefail

PACKAGES=(
  # toolchain and build hygiene
  # (clang, its libFuzzer/sanitizer runtimes — only recommended by clang, so named —
  # and llvm's symbolizer: the fuzz build of scripts/run-fuzz.sh)
  build-essential cmake ninja-build ccache pkg-config git clang libclang-rt-14-dev llvm
  # engine
  libtorch-dev libopenblas0-pthread libprotobuf-dev protobuf-compiler
  libsentencepiece-dev sentencepiece libspdlog-dev libfmt-dev libsqlite3-dev sqlite3 nlohmann-json3-dev
  # GUI
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
  libqcustomplot-dev libqcustomplot2.1-qt6 libgl-dev libvulkan-dev libxkbcommon-dev
  qt6-translations-l10n
  # default corpus and headless GUI runs
  bible-kjv xvfb xauth x11-apps fonts-dejavu-core fonts-noto-cjk
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-deps: not root and no sudo; install these packages by hand: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Debian's LibTorch picks the BLAS through the alternatives system; make sure the
# OpenBLAS (pthread) implementation is the one in use, not the reference BLAS.
for alt in libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu; do
  target=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-pthread | head -n1 || true)
  if [ -n "$target" ]; then $SUDO update-alternatives --set "$alt" "$target" >/dev/null; fi
done
echo "setup-deps: done"

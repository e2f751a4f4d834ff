#!/usr/bin/env bash
# Installs every Debian package PoSE Studio needs to build, test and run.
# Idempotent: packages already present are left alone; a second run only checks.
# Knows Debian 12 (bookworm: LibTorch 1.13, Qt 6.4) and Debian 13 (trixie:
# LibTorch 2.6, Qt 6.8); any other system is named and refused before anything
# is installed.
set -euo pipefail

# The release decides the few package names that differ between releases: the
# sanitizer/libFuzzer runtime of the default clang carries clang's version.
codename=""
if [ -r /etc/os-release ]; then
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  release_name=$(. /etc/os-release && echo "${PRETTY_NAME:-unknown}")
else
  release_name="a system without /etc/os-release"
fi
case "$codename" in
  bookworm) clang_rt=libclang-rt-14-dev ;;
  trixie)   clang_rt=libclang-rt-19-dev ;;
  *)
    echo "setup-deps: this is ${release_name}${codename:+ ($codename)}; the package list is kept for" >&2
    echo "            Debian 12 (bookworm) and Debian 13 (trixie) only. On another system install" >&2
    echo "            the equivalents of the PACKAGES list in $0 by hand (LibTorch 1.13 or 2.x," >&2
    echo "            Qt 6, QCustomPlot 2.1 for Qt 6, sentencepiece, spdlog, fmt, SQLite," >&2
    echo "            nlohmann-json), then run scripts/build.sh." >&2
    exit 1
    ;;
esac

PACKAGES=(
  # toolchain and build hygiene
  # (clang, its libFuzzer/sanitizer runtimes — only recommended by clang, so named —
  # and llvm's symbolizer: the fuzz build of scripts/run-fuzz.sh)
  build-essential cmake ninja-build ccache pkg-config git clang "$clang_rt" llvm
  # (python3: the crash-safety soak of tests/soak, run by ctest)
  python3
  # engine
  libtorch-dev libopenblas0-pthread libprotobuf-dev protobuf-compiler
  # (gloo's headers: LibTorch's c10d ProcessGroupGloo, data-parallel training on CPUs)
  libgloo-dev
  libsentencepiece-dev sentencepiece libspdlog-dev libfmt-dev libsqlite3-dev sqlite3 nlohmann-json3-dev
  # GUI
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
  libqcustomplot-dev libqcustomplot2.1-qt6 libgl-dev libvulkan-dev libxkbcommon-dev
  qt6-translations-l10n
  # default corpus and headless GUI runs
  bible-kjv xvfb xauth x11-apps fonts-dejavu-core fonts-noto-cjk
  # benchmarks: the Python PyTorch peer of bench/ (the same LibTorch underneath:
  # 1.13 on Debian 12, 2.6 on Debian 13)
  python3-torch
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    echo "setup-deps: not root and no sudo; install these packages by hand: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup-deps: installing ${#missing[@]} packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup-deps: all ${#PACKAGES[@]} packages present"
fi

# Debian's LibTorch calls the system BLAS chosen by the alternatives system: make
# sure it is OpenBLAS's pthread build (the engine runs it on one thread, see
# core/common/threads.cpp), never the reference BLAS (about 20x slower). The
# OpenMP build of OpenBLAS is faster for one process alone on its cores, but two
# processes sharing the cores slow down several times over (docs/PERFORMANCE.md), so it
# is not chosen here.
for alt in libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu libopenblas.so.0-x86_64-linux-gnu; do
  target=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-pthread | head -n1 || true)
  current=$(readlink -f "/etc/alternatives/$alt" 2>/dev/null || true)
  if [ -n "$target" ] && [ "$current" != "$target" ]; then
    if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
      $SUDO update-alternatives --set "$alt" "$target" >/dev/null
      echo "setup-deps: $alt -> $target"
    else
      echo "setup-deps: $alt points to $current; run as root to select $target" >&2
    fi
  fi
done
echo "setup-deps: done"

#!/usr/bin/env bash
# Unpacks, on a Debian 12 machine, the dependencies of the headless build that a
# GPU machine with only CUDA, CMake and PyTorch lacks, into .deps/gpu-root
# (a usr/ tree), for tools/gpu_bench/run.sh to build against there:
#
#   bash tools/gpu_bench/fetch-deps.sh [DEST]
#
# What comes along and why:
#   spdlog, fmt, nlohmann-json   headers (spdlog and fmt are used header-only there);
#                                the .so files only because CMake's imported targets
#                                check that they exist
#   sqlite3                      header and library (a C library: no C++ ABI to match)
#   sentencepiece                for libpose_spm.so, which only a LibTorch with the
#                                C++11 ABI can use (see cmake/PoseDependencies.cmake)
#   ninja, pkgconf               in case the GPU machine has none
# The binaries need glibc >= 2.34 (run.sh checks before using them). Packages are
# unpacked (dpkg-deb -x), not installed; documentation, manuals and static
# libraries are dropped, and symbolic links are replaced by copies of their
# targets so that the tree survives being copied as plain files.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="${1:-$ROOT/.deps/gpu-root}"

PACKAGES=(
  libspdlog-dev libspdlog1.10 libfmt-dev libfmt9 nlohmann-json3-dev
  libsqlite3-dev libsqlite3-0
  libsentencepiece-dev libsentencepiece0
  ninja-build pkgconf-bin libpkgconf3
)

for tool in apt-get dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || { echo "fetch-deps: $tool not found: run this on Debian 12" >&2; exit 1; }
done
if [ -r /etc/os-release ] && ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release; then
  echo "fetch-deps: warning: not Debian 12 (bookworm); package names and versions may differ" >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# apt-get download takes the candidate version; when the package lists are not
# there yet, the copies in apt's cache (left by scripts/setup-deps.sh) do.
missing=()
(cd "$work" && apt-get download "${PACKAGES[@]}" >/dev/null 2>"$work/download.err") || true
for p in "${PACKAGES[@]}"; do
  if ! ls "$work/${p}_"*.deb >/dev/null 2>&1; then
    cached=$(ls -t /var/cache/apt/archives/"${p}"_*.deb 2>/dev/null | head -n1 || true)
    if [ -n "$cached" ]; then cp "$cached" "$work/"; else missing+=("$p"); fi
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "fetch-deps: could not download: ${missing[*]}" >&2
  sed 's/^/  /' "$work/download.err" >&2 || true
  echo "fetch-deps: run 'apt-get update' (as root) and try again" >&2
  exit 1
fi

rm -rf "$DEST"
mkdir -p "$DEST"
: >"$work/manifest"
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$DEST"
  dpkg-deb -W --showformat='${Package} ${Version} ${Architecture}\n' "$deb" >>"$work/manifest"
done

# Only what a build and a run use.
rm -rf "$DEST"/usr/share/{doc,doc-base,man,lintian,bash-completion,vim,zsh,emacs}
find "$DEST" -name '*.a' -delete
# Copies instead of links (libfoo.so -> libfoo.so.0 -> libfoo.so.0.1.2). The link
# step needs libfoo.so and the loader libfoo.so.0 (the soname); the fully
# versioned file only where a CMake package file names it.
libdir="$DEST/usr/lib/x86_64-linux-gnu"
find "$DEST" -type l | while read -r link; do
  target="$(readlink -f "$link")"
  if [ -e "$target" ]; then cp --remove-destination "$target" "$link"; else rm -f "$link"; fi
done
for lib in "$libdir"/lib*.so.*.*.*; do
  [ -e "$lib" ] || continue
  grep -rqF "$(basename "$lib")" "$libdir/cmake" || rm -f "$lib"
done

# pkg-config files name /usr; make them relative to where the tree lies.
for pc in "$DEST"/usr/lib/x86_64-linux-gnu/pkgconfig/*.pc; do
  [ -e "$pc" ] || continue
  sed -i 's|^prefix=/usr$|prefix=${pcfiledir}/../../..|' "$pc"
done

sort "$work/manifest" >"$DEST/MANIFEST"
echo "fetch-deps: unpacked into $DEST:"
sed 's/^/  /' "$DEST/MANIFEST"
echo "fetch-deps: $(find "$DEST" -type f | wc -l) files, $(du -sh "$DEST" | cut -f1) (carry .deps/gpu-root to the GPU machine)"

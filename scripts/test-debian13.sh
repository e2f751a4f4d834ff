#!/usr/bin/env bash
# Runs the README commands inside a Debian 13 (trixie) root on a Debian 12 (or
# any Debian) machine: LibTorch 2.6, Qt 6.8, GCC 14. The root is made once with
# debootstrap and cached outside the clone, with its own ccache, so later runs
# rebuild only what changed. Each run copies the working tree (tracked files
# and untracked files git does not ignore) into the root and runs there:
#   scripts/test-debian13.sh                 README command 2 (scripts/test.sh)
#   scripts/test-debian13.sh --studio        README command 1 under Xvfb, to a screenshot
#   scripts/test-debian13.sh --headless      the headless preset (engine and pose, no GUI) with its tests
#   scripts/test-debian13.sh --shell         a shell in the root, tree copied, nothing run
#   scripts/test-debian13.sh --run 'CMD'     CMD in the copied tree (e.g. a benchmark of a build there)
#   scripts/test-debian13.sh --fresh ...     remove the cached root first (a fresh Debian 13)
#   scripts/test-debian13.sh ... -- ARGS     ARGS go to ctest (e.g. -R test_model)
# Environment: POSE_DEBIAN13_ROOT (default /var/cache/pose-studio/debian13-root),
# POSE_DEBIAN_MIRROR (default http://deb.debian.org/debian).
# Needs root (debootstrap, mount, chroot); uses sudo when not root.
set -euo pipefail

# All of it in one function, read whole before it runs: editing this file
# while a run is under way cannot change what that run does.
main() {
  cd "$(dirname "$0")/.."
  src=$(pwd)

  root="${POSE_DEBIAN13_ROOT:-/var/cache/pose-studio/debian13-root}"
  mirror="${POSE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  mode=test
  fresh=0
  run_cmd=""
  ctest_args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --studio) mode=studio; shift ;;
      --headless) mode=headless; shift ;;
      --shell) mode=shell; shift ;;
      --run) mode=run; run_cmd="$2"; shift 2 ;;
      --fresh) fresh=1; shift ;;
      --) shift; ctest_args=("$@"); break ;;
      -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
      *) echo "test-debian13: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
  done

  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then exec sudo -E "$0" "$@"; fi
    echo "test-debian13: needs root for debootstrap and chroot, and sudo is not installed" >&2
    exit 1
  fi
  for tool in debootstrap chroot mount; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "test-debian13: '$tool' is missing; install it with: apt-get install debootstrap" >&2
      exit 1
    fi
  done

  # One run at a time: a second would replace the tree under the first one's build.
  mkdir -p "$(dirname "$root")"
  exec 9>"$root.lock"
  if ! flock -n 9; then
    echo "test-debian13: another run is using $root (lock $root.lock); wait for it to finish" >&2
    exit 1
  fi

  mounts=(proc dev dev/pts sys)
  unmount_all() {
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
      mountpoint -q "$root/${mounts[$i]}" && umount -l "$root/${mounts[$i]}" || true
    done
  }

  if [ "$fresh" -eq 1 ] && [ -d "$root" ]; then
    unmount_all
    echo "test-debian13: removing the cached root $root"
    rm -rf --one-file-system "$root"
  fi

  t0=$(date +%s)
  if [ ! -x "$root/usr/bin/apt-get" ] || [ ! -f "$root/.pose-root-complete" ]; then
    echo "test-debian13: making a Debian 13 root in $root (debootstrap, about a minute)"
    rm -rf --one-file-system "$root"
    mkdir -p "$(dirname "$root")"
    debootstrap --variant=minbase --include=ca-certificates trixie "$root" "$mirror"
    touch "$root/.pose-root-complete"
  fi
  cp /etc/resolv.conf "$root/etc/resolv.conf"

  trap unmount_all EXIT
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
  mountpoint -q "$root/dev" || mount --bind /dev "$root/dev"
  mountpoint -q "$root/dev/pts" || mount --bind /dev/pts "$root/dev/pts"
  mountpoint -q "$root/sys" || mount --bind /sys "$root/sys"

  # The tree: brought to the working tree's content on every run, build/ kept.
  # A file whose content changed is written anew (a fresh time stamp, so ninja
  # rebuilds what depends on it even when the build there is newer than the
  # edit); unchanged files keep theirs; files gone from the working tree go.
  tree="$root/work/pose-studio"
  stage="$root/work/.incoming"
  rm -rf "$stage"
  mkdir -p "$tree" "$stage"
  git -C "$src" ls-files -z --cached --others --exclude-standard |
    (cd "$src" && tar --null -T - --ignore-failed-read -cf -) | tar -xf - -C "$stage"
  (cd "$stage" && find . -type f -print0) | while IFS= read -r -d '' f; do
    if ! cmp -s "$stage/$f" "$tree/$f"; then
      mkdir -p "$(dirname "$tree/$f")"
      cp --preserve=mode "$stage/$f" "$tree/$f"
    fi
  done
  (cd "$tree" && find . -path ./build -prune -o -type f -print0) | while IFS= read -r -d '' f; do
    [ -e "$stage/$f" ] || rm -f "$tree/$f"
  done
  rm -rf "$stage"

  case "$mode" in
    test) cmd='./scripts/test.sh "$@"' ;;
    studio) cmd='./scripts/studio.sh --screenshot /work/studio-debian13.png' ;;
    headless) cmd='./scripts/setup-deps.sh && cmake --preset headless -DPOSE_BUILD_TESTS=ON >/dev/null &&
                  cmake --build --preset headless && ./build/headless/bin/pose --version &&
                  ctest --test-dir build/headless --output-on-failure -j 2 --timeout 900 "$@"' ;;
    shell) cmd='exec bash -i' ;;
    run) cmd="$run_cmd" ;;
  esac

  echo "test-debian13: running '$mode' in $(. "$root/etc/os-release" && echo "$PRETTY_NAME") at $root"
  set +e
  chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    CCACHE_DIR=/var/cache/ccache CCACHE_MAXSIZE=5G CI="${CI:-}" \
    bash -c "cd /work/pose-studio && $cmd" bash "${ctest_args[@]}"
  rc=$?
  set -e
  t1=$(date +%s)
  if [ "$mode" = studio ] && [ -f "$root/work/studio-debian13.png" ]; then
    cp "$root/work/studio-debian13.png" "$src/build/studio-debian13.png" 2>/dev/null &&
      echo "test-debian13: screenshot at build/studio-debian13.png"
  fi
  if [ "$rc" -eq 0 ]; then
    echo "test-debian13: '$mode' passed on Debian 13 in $((t1 - t0)) s"
  else
    echo "test-debian13: '$mode' FAILED on Debian 13 (exit $rc) after $((t1 - t0)) s" >&2
  fi
  exit "$rc"
}

main "$@"

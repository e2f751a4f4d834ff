#!/usr/bin/env bash
# README command 1: install dependencies, build (Release) and launch pose-studio
# with the default experiment loaded.
#   scripts/studio.sh                      open the window
#   scripts/studio.sh --screenshot F.png   render the window under Xvfb to F.png and exit
#   scripts/studio.sh -- ARGS              pass ARGS to pose-studio
set -euo pipefail
cd "$(dirname "$0")/.."

screenshot=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) screenshot="$2"; shift 2 ;;
    --) shift; extra+=("$@"); break ;;
    *) extra+=("$1"); shift ;;
  esac
done

./scripts/setup-deps.sh
# Only the window and what it links (engine, widgets, the tokenizer module):
# the tests and benchmarks are scripts/test.sh's. Ninja prints [done/total]
# for each step; a first build on 2 cores takes about 9 minutes (docs/PERFORMANCE.md).
echo "studio: building pose-studio (build/release)"
./scripts/build.sh release --target pose-studio

app=build/release/bin/pose-studio
args=(--experiment experiments/micro-pose.json)
if [ -n "$screenshot" ]; then
  exec xvfb-run -a -s "-screen 0 1400x900x24" "$app" "${args[@]}" --screenshot "$screenshot" "${extra[@]}"
fi
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "studio: no display found. Run this from a desktop session, or render once" >&2
  echo "        under Xvfb with: scripts/studio.sh --screenshot pose-studio.png" >&2
  exit 2
fi
exec "$app" "${args[@]}" "${extra[@]}"

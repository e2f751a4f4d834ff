#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset "fuzz": clang, ASan + UBSan) and runs
# each for RUNS executions, starting from its seed corpus (tests/fuzz/corpus/<target>/)
# copied into a scratch directory, so the committed corpus never grows.
#
# Usage: scripts/run-fuzz.sh [RUNS] [TARGET...]
#   RUNS     executions per target (default 1000000)
#   TARGET   fuzz_safetensors_header, fuzz_hf_config, fuzz_experiment_spec,
#            fuzz_jsonl_corpus (default: all)
# Environment:
#   JOBS=N           build parallelism (default 1: the build machine is shared)
#   FUZZ_MAX_LEN=N   longest input in bytes (default: per target, below)
#   FUZZ_ARGS="..."  extra libFuzzer flags, e.g. "-seed=1 -use_value_profile=1"
#   FUZZ_OUT=DIR     where logs and crashing inputs go (default build/fuzz/runs)
# A crash stops that target; its input is FUZZ_OUT/<target>/crash-* and the log
# FUZZ_OUT/<target>.log. Reproduce with: build/fuzz/fuzz/<target> <input>
# Exit status: 0 when no target crashed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-1000000}"
shift || true
all=(fuzz_safetensors_header fuzz_hf_config fuzz_experiment_spec fuzz_jsonl_corpus)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

# Inputs above these lengths add little coverage and slow every execution; the
# JSONL target gets room for long lines.
declare -A max_len=([fuzz_safetensors_header]=8192 [fuzz_hf_config]=4096
                    [fuzz_experiment_spec]=8192 [fuzz_jsonl_corpus]=65536)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${JOBS:-1}"

out="${FUZZ_OUT:-build/fuzz/runs}"
mkdir -p "$out"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/pose-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# UB already aborts (-fno-sanitize-recover); print its stack too. LeakSanitizer
# stays on: these parsers leave nothing of LibTorch's allocated between inputs.
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# One thread: intra-op parallelism only adds noise to a parser fuzzer.
export OMP_NUM_THREADS=1

failed=0
printf '%-26s %12s %10s %8s  %s\n' target executions exec/s crashes notes
for t in "${targets[@]}"; do
  bin="build/fuzz/fuzz/$t"
  [ -x "$bin" ] || { echo "run-fuzz: no $bin (unknown target?)" >&2; exit 2; }
  mkdir -p "$scratch/$t" "$out/$t"
  cp -R "tests/fuzz/corpus/$t/." "$scratch/$t/"
  log="$out/$t.log"
  rc=0
  # shellcheck disable=SC2086
  "$bin" -runs="$runs" -max_len="${FUZZ_MAX_LEN:-${max_len[$t]}}" -timeout=20 -rss_limit_mb=4096 \
    -dict="tests/fuzz/$t.dict" -artifact_prefix="$out/$t/" -print_final_stats=1 ${FUZZ_ARGS:-} \
    "$scratch/$t" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  crashes=0
  note=""
  if [ "$rc" -ne 0 ]; then
    failed=1
    crashes=1
    found=$(ls -t "$out/$t" 2>/dev/null | grep -E '^(crash|leak|timeout|oom|slow-unit)-' | head -n1 || true)
    note="exit $rc: ${found:+$out/$t/$found, }see $log"
  fi
  printf '%-26s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "${speed:-?}" "$crashes" "$note"
done
exit "$failed"

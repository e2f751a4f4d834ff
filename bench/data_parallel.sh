#!/usr/bin/env bash
# Data-parallel training on this machine's CPU, run by hand: tokens/s of one
# process with every thread against N processes sharing them (`pose run
# --nproc N`), and rank 0's peak resident memory with and without
# --shard-optimizer (ZeRO stage 1), on one extension run of a model large
# enough for AdamW's moments to show. Every figure is printed as a ratio
# against the one-process run measured in the same invocation.
#
#   bench/data_parallel.sh [POSE_BINARY] [NPROC]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
pose="${1:-$here/build/release/bin/pose}"
nproc="${2:-2}"
threads="$(nproc)"
work="$(mktemp -d /tmp/pose-bench-dp.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export POSE_DATA_DIR="$work/data"

# hidden 512, 8 layers: 27M parameters, 216 MB of AdamW moments in fp32.
python3 - "$here/experiments/micro-pose.json" "$work/spec.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["name"] = "bench-data-parallel"
spec.pop("presets", None)
spec["base_model"]["config"].update({"hidden_size": 512, "intermediate_size": 1376, "num_hidden_layers": 8,
                                     "num_attention_heads": 8, "num_key_value_heads": 8})
spec["base_model"].update({"steps": 2, "batch_size": 2, "warmup_steps": 1, "checkpoint_every": 0})
run = [r for r in spec["extend"] if r["name"] == "pose-yarn"][0]
run.update({"steps": 12, "batch_size": 1, "grad_accum": 4, "warmup_steps": 2, "checkpoint_every": 0})
spec["extend"] = [run]
spec["evaluation"] = {}
json.dump(spec, open(sys.argv[2], "w"), indent=1)
PY

measure() {  # NAME ARGS... -> "tokens/s peak_rss_mb" of the pose-yarn run (rank 0)
  local name="$1"; shift
  "$pose" --log-level warn --threads "$threads" run "$work/spec.json" --store "$work/$name.sqlite" \
    --work-dir "$work/$name" "$@" >/dev/null
  sqlite3 "$work/$name.sqlite" "select
      (select value from metrics m join runs r on r.id = m.run_id where r.name = 'pose-yarn' and m.series = 'run/tokens_per_s'),
      (select max(value) from metrics m join runs r on r.id = m.run_id where r.name = 'pose-yarn' and m.series = 'train/memory_mb')" |
    tr '|' ' '
}

read -r one_tps one_rss < <(measure one)
read -r dp_tps dp_rss < <(measure dp --nproc "$nproc")
read -r zero_tps zero_rss < <(measure zero --nproc "$nproc" --shard-optimizer)
printf '%-40s %12s %8s %14s %8s\n' "configuration ($threads threads in all)" "tokens/s" "ratio" "rank-0 RSS MB" "ratio"
row() { awk -v n="$1" -v t="$2" -v r="$3" -v t0="$one_tps" -v r0="$one_rss" \
  'BEGIN { printf "%-40s %12.0f %8.2f %14.0f %8.2f\n", n, t, t / t0, r, r / r0 }'; }
row "1 process, $threads threads" "$one_tps" "$one_rss"
row "$nproc processes (--nproc $nproc)" "$dp_tps" "$dp_rss"
row "$nproc processes, --shard-optimizer" "$zero_tps" "$zero_rss"

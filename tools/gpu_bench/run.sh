#!/usr/bin/env bash
# The GPU benchmark in one command, on a CUDA machine that has PyTorch 2.x (its
# wheel carries LibTorch with CUDA), CMake >= 3.25, a C++ compiler and HF
# transformers, with .deps/gpu-root (tools/gpu_bench/fetch-deps.sh) beside it:
#
#   bash tools/gpu_bench/run.sh [--configure-only] [--no-configure] [--rounds N] [--steps N]
#                               [--no-peer] [--no-pose-vs-full]
#
# 1. prints the machine (nvidia-smi, PyTorch, CUDA, transformers, CMake, compiler);
# 2. builds the headless engine (Release, no Qt, no tests) against the LibTorch of
#    the Python's torch and the unpacked dependencies: `pose` and bench_gpu_training;
# 3. runs `pose --version`, then bench_gpu_training and tools/gpu_bench/hf_peer.py
#    alternately (1B-class LLaMA, bf16, batch 4 x 2048; the best round of each
#    counts), then PoSE at 2048 against Full-length at 16384 with activation
#    checkpointing;
# 4. writes JSON, logs and summary.txt into $OUT (default /tmp/gpu-bench).
#
# How LibTorch is found (POSE_GPU_TORCH_CONFIG):
#   wheel (default)  a small Torch config written here from the wheel's own files:
#                    the engine links the very libraries Python's torch loads (their
#                    CUDA runtime, cuBLAS and cuDNN come through the wheel's RUNPATH),
#                    so both contestants run the same kernels; the CUDA toolkit is
#                    only a source of headers
#   official         the wheel's TorchConfig.cmake (needs the CUDA toolkit to match);
#                    tried by itself when the wheel configuration fails
# C++ ABI: a wheel built with -D_GLIBCXX_USE_CXX11_ABI=0 (PyTorch < 2.7) cannot be
# linked with Debian's C++ libraries: spdlog and fmt are used header-only either way,
# and the SentencePiece module is left out (the benchmark feeds random token ids).
#
# Other settings: PYTHON (default python3), POSE_GPU_DEPS (default .deps/gpu-root),
# POSE_GPU_BUILD (default build/gpu-bench), PEAK_TFLOPS (default: by GPU name),
# POSE_GPU_TIME_BUDGET (seconds the whole command may take; default 540: a second
# alternating round is skipped when it would not fit), POSE_GPU_OWN_TOOLS=1 (use the
# unpacked ninja and pkgconf even when the machine has its own).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${OUT:-/tmp/gpu-bench}"
PYTHON="${PYTHON:-python3}"
DEPS="${POSE_GPU_DEPS:-$ROOT/.deps/gpu-root}"
BUILD="${POSE_GPU_BUILD:-$ROOT/build/gpu-bench}"
TORCH_CONFIG="${POSE_GPU_TORCH_CONFIG:-wheel}"
BUDGET="${POSE_GPU_TIME_BUDGET:-540}"
OWN_TOOLS="${POSE_GPU_OWN_TOOLS:-0}"

configure_only=0
do_configure=1
rounds=2
steps=10
warmup=3
peer=1
pose_vs_full=1
while [ $# -gt 0 ]; do
  case "$1" in
    --configure-only) configure_only=1 ;;
    --no-configure) do_configure=0 ;;
    --rounds) rounds="$2"; shift ;;
    --steps) steps="$2"; shift ;;
    --no-peer) peer=0 ;;
    --no-pose-vs-full) pose_vs_full=0 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (--help lists them)" >&2; exit 2 ;;
  esac
  shift
done

mkdir -p "$OUT" "$BUILD"
OUT="$(cd "$OUT" && pwd)"
BUILD="$(cd "$BUILD" && pwd)"
[ -d "$DEPS" ] && DEPS="$(cd "$DEPS" && pwd)"
exec > >(tee "$OUT/run.log") 2>&1

die() {
  echo "run.sh: error: $*" >&2
  exit 1
}
stage() { echo; echo "== $* [$(date +%H:%M:%S), ${SECONDS}s]"; }
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# ---------------------------------------------------------------- prerequisites
stage "prerequisites"
command -v "$PYTHON" >/dev/null 2>&1 || die "no '$PYTHON': set PYTHON to the Python that has PyTorch"
torch_vars="$("$PYTHON" - <<'EOF'
import os, shlex
import torch
vals = {
    "TORCH_VERSION": torch.__version__,
    "TORCH_CUDA": torch.version.cuda or "",
    "TORCH_ABI": str(int(torch._C._GLIBCXX_USE_CXX11_ABI)),
    "TORCH_CMAKE": torch.utils.cmake_prefix_path,
    "TORCH_DIR": os.path.dirname(torch.__file__),
    "CUDA_OK": "1" if torch.cuda.is_available() else "0",
    "GPU_NAME": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "",
    "GPU_CC": "%d.%d" % torch.cuda.get_device_capability(0) if torch.cuda.is_available() else "",
    "CUDNN": str(torch.backends.cudnn.version() or ""),
}
for k, v in vals.items():
    print(f"{k}={shlex.quote(v)}")
EOF
)" || die "'$PYTHON' cannot import torch: set PYTHON to the Python that has PyTorch 2.x"
eval "$torch_vars"
if ! version_at_least "${TORCH_VERSION%%+*}" 2.0; then
  # A 1.x LibTorch still builds (the engine then attends eagerly), which is enough to check a configuration.
  [ "$configure_only" = 1 ] || die "PyTorch $TORCH_VERSION: the benchmark needs 2.x (SDPA, bf16 autocast on CUDA)"
  echo "run.sh: warning: PyTorch $TORCH_VERSION is not 2.x; configuring only"
fi
if [ "$configure_only" = 0 ]; then
  [ "$CUDA_OK" = 1 ] || die "PyTorch $TORCH_VERSION sees no CUDA device (CUDA build: ${TORCH_CUDA:-none})"
fi
command -v cmake >/dev/null 2>&1 || die "no cmake on PATH"
CMAKE_VERSION="$(cmake --version | head -n1 | awk '{print $3}')"
version_at_least "$CMAKE_VERSION" 3.25 || die "cmake $CMAKE_VERSION: the project needs 3.25 or newer"
CXX_BIN="${CXX:-$(command -v c++ || command -v g++ || true)}"
[ -n "$CXX_BIN" ] || die "no C++ compiler (c++ or g++) on PATH"
[ -f "$DEPS/MANIFEST" ] || die "no $DEPS: run 'bash tools/gpu_bench/fetch-deps.sh' on Debian 12 and carry .deps/gpu-root"
GLIBC="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
glibc_ok=0
if [ -n "$GLIBC" ] && version_at_least "$GLIBC" 2.34; then glibc_ok=1; fi
if [ "$peer" = 1 ] && [ "$configure_only" = 0 ]; then
  TRANSFORMERS_VERSION="$("$PYTHON" -c 'import transformers; print(transformers.__version__)' 2>/dev/null)" ||
    die "'$PYTHON' cannot import transformers (the peer); --no-peer runs the engine alone"
fi

stage "machine"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv || true
else
  echo "(no nvidia-smi)"
fi
echo "PyTorch $TORCH_VERSION (CUDA ${TORCH_CUDA:-none}, cuDNN ${CUDNN:-none}, C++11 ABI $TORCH_ABI) at $TORCH_DIR"
echo "GPU: ${GPU_NAME:-none} (compute capability ${GPU_CC:-?})"
echo "transformers ${TRANSFORMERS_VERSION:-not used}"
echo "cmake $CMAKE_VERSION; $("$CXX_BIN" --version | head -n1); glibc ${GLIBC:-?}; $(nproc) cores"
echo "dependencies: $DEPS"; sed 's/^/  /' "$DEPS/MANIFEST"

# ---------------------------------------------------------------- build
LIBDIR="$DEPS/usr/lib/x86_64-linux-gnu"
deps_tool() {  # an unpacked binary, runnable when this glibc is new enough
  [ "$glibc_ok" = 1 ] && [ -f "$DEPS/usr/bin/$1" ] && chmod +x "$DEPS/usr/bin/$1" && echo "$DEPS/usr/bin/$1"
}

# The build tool.
generator_args=()
if [ "$OWN_TOOLS" != 1 ] && command -v ninja >/dev/null 2>&1; then
  generator_args=(-G Ninja)
elif ninja_bin="$(deps_tool ninja)"; then
  generator_args=(-G Ninja -DCMAKE_MAKE_PROGRAM="$ninja_bin")
elif command -v make >/dev/null 2>&1; then
  generator_args=(-G "Unix Makefiles")
else
  die "neither ninja nor make: the unpacked ninja needs glibc >= 2.34 (this machine: ${GLIBC:-unknown})"
fi

# SQLite (a C library: any copy links): the unpacked one, else the machine's.
sqlite_lib=""
if [ "$glibc_ok" = 1 ] && [ -f "$LIBDIR/libsqlite3.so" ]; then
  sqlite_lib="$LIBDIR/libsqlite3.so"
else
  sqlite_lib="$( (ldconfig -p 2>/dev/null || true) | awk '/libsqlite3\.so\.0 .*x86-64/ {print $NF; exit}')"
  [ -n "$sqlite_lib" ] || die "no usable libsqlite3: the unpacked one needs glibc >= 2.34 (this machine: ${GLIBC:-unknown}) and the machine has none"
fi

# SentencePiece: only with the C++11 ABI and a pkg-config to find it.
spm=OFF
spm_note=""
pkgconfig_args=()
export PKG_CONFIG_PATH="$LIBDIR/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
if [ "$TORCH_ABI" = 0 ]; then
  spm_note="LibTorch uses the pre-C++11 std::string ABI, which Debian's libsentencepiece cannot share"
elif [ "$glibc_ok" != 1 ]; then
  spm_note="the unpacked libsentencepiece needs glibc >= 2.34 (this machine: ${GLIBC:-unknown})"
elif [ "$OWN_TOOLS" != 1 ] && command -v pkg-config >/dev/null 2>&1; then
  spm=ON
elif pkgconf_bin="$(deps_tool pkgconf)"; then
  mkdir -p "$BUILD/tools"
  cat >"$BUILD/tools/pkg-config" <<EOF
#!/bin/sh
# pkgconf from $DEPS, searching only its own .pc files.
LD_LIBRARY_PATH="$LIBDIR\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" PKG_CONFIG_LIBDIR="$LIBDIR/pkgconfig" exec "$pkgconf_bin" "\$@"
EOF
  chmod +x "$BUILD/tools/pkg-config"
  pkgconfig_args=(-DPKG_CONFIG_EXECUTABLE="$BUILD/tools/pkg-config")
  spm=ON
else
  spm_note="no pkg-config to find it"
fi

# A Torch config from the wheel's own files (see the header).
write_wheel_config() {
  "$PYTHON" - "$1" <<'EOF'
import glob, os, re, sys
import torch
out_dir = sys.argv[1]
tdir = os.path.dirname(torch.__file__)
lib = os.path.join(tdir, "lib")
def so(name):
    path = os.path.join(lib, f"lib{name}.so")
    return path if os.path.exists(path) else None
core = [so("torch"), so("torch_cpu"), so("c10")]
if None in core:
    sys.exit(f"torch at {tdir} has no lib/libtorch.so, libtorch_cpu.so and libc10.so")
cuda_libs = [p for p in (so("torch_cuda"), so("c10_cuda")) if p]
# CUDA headers: the toolkit's (complete and consistent) and those of the nvidia-*
# wheels (the wheel's own CUDA version), in the order chosen below.
site = os.path.dirname(tdir)
toolkit = [os.environ.get("CUDA_HOME", ""), os.environ.get("CUDA_PATH", ""), "/usr/local/cuda"]
try:
    import contextlib, io
    with contextlib.redirect_stderr(io.StringIO()):  # it warns when there is no toolkit
        from torch.utils.cpp_extension import CUDA_HOME
    toolkit.insert(0, CUDA_HOME or "")
except Exception:
    pass
toolkit = [t for t in toolkit if t and os.path.exists(os.path.join(t, "include", "cuda_runtime_api.h"))]
wheel_includes = sorted(glob.glob(os.path.join(site, "nvidia", "*", "include")))
wheel_libs = sorted(glob.glob(os.path.join(site, "nvidia", "*", "lib")))
def cudart_major(include_dir):
    try:
        with open(os.path.join(include_dir, "cuda_runtime_api.h")) as f:
            m = re.search(r"#define\s+CUDART_VERSION\s+(\d+)", f.read())
        return int(m.group(1)) // 1000 if m else None
    except OSError:
        return None
toolkit_includes = [os.path.join(toolkit[0], "include")] if toolkit else []
torch_cuda_major = int(torch.version.cuda.split(".")[0]) if torch.version.cuda else None
# A toolkit of another CUDA major version than the wheel's declares another API:
# then the wheel's own headers come first.
if toolkit_includes and (not wheel_includes or cudart_major(toolkit_includes[0]) == torch_cuda_major):
    cuda_includes = toolkit_includes + wheel_includes
else:
    cuda_includes = wheel_includes + toolkit_includes
cudart = sorted(glob.glob(os.path.join(site, "nvidia", "cuda_runtime", "lib", "libcudart.so*")))
if not cudart and toolkit:
    cudart = sorted(glob.glob(os.path.join(toolkit[0], "lib64", "libcudart.so")))
libraries = []
if cuda_libs:
    if not cuda_includes:
        sys.exit("no CUDA headers (cuda_runtime_api.h): set CUDA_HOME to the CUDA toolkit")
    # Nothing in the engine calls into libtorch_cuda directly; without
    # --no-as-needed the linker drops it and CUDA is never registered.
    libraries.append("-Wl,--no-as-needed," + ",".join(cuda_libs) + ",--as-needed")
libraries += core + (cudart[:1] if cuda_libs else [])
# Lets the linker resolve the wheel libraries' own dependencies (cudart, cuBLAS, ...).
rpath_link = [lib] + glob.glob(os.path.join(site, "torch.libs")) + wheel_libs
rpath_link += [os.path.join(toolkit[0], "lib64")] if toolkit else []
libraries.append("-Wl,-rpath-link," + ":".join(rpath_link))
includes = [os.path.join(tdir, "include"), os.path.join(tdir, "include", "torch", "csrc", "api", "include")]
includes += cuda_includes if cuda_libs else []
abi = int(torch._C._GLIBCXX_USE_CXX11_ABI)
def cm(items):
    return ";".join(i.replace(";", "\\;") for i in items)
text = f"""# Written by tools/gpu_bench/run.sh from torch {torch.__version__} at {tdir}.
set(TORCH_INSTALL_PREFIX "{tdir}")
set(TORCH_INCLUDE_DIRS "{cm(includes)}")
set(TORCH_LIBRARIES "{cm(libraries)}")
set(TORCH_CUDA_LIBRARIES "{cm(cuda_libs)}")
set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI={abi}")
find_package(Threads REQUIRED)
list(APPEND TORCH_LIBRARIES Threads::Threads)
message(STATUS "Torch (wheel): {torch.__version__}, CUDA libraries: {'yes' if cuda_libs else 'none'}")
"""
os.makedirs(out_dir, exist_ok=True)
path = os.path.join(out_dir, "TorchConfig.cmake")
# Rewritten only when it changes, so that a configured build stays up to date.
if not os.path.exists(path) or open(path).read() != text:
    with open(path, "w") as f:
        f.write(text)
EOF
}

configure() {  # $1: wheel|official
  local torch_args=()
  if [ "$1" = wheel ]; then
    write_wheel_config "$BUILD/torch-wheel" || return 1
    torch_args=(-DTorch_DIR="$BUILD/torch-wheel")
  else
    torch_args=(-DTorch_DIR="$TORCH_CMAKE/Torch")
    if [ -n "$GPU_CC" ]; then export TORCH_CUDA_ARCH_LIST="$GPU_CC"; fi
  fi
  echo "configuring: LibTorch via the $1 configuration, SentencePiece module $spm${spm_note:+ ($spm_note)}"
  cmake -S "$ROOT" -B "$BUILD" "${generator_args[@]}" \
    -DCMAKE_BUILD_TYPE=Release -DPOSE_BUILD_GUI=OFF -DPOSE_BUILD_TESTS=OFF -DPOSE_BUILD_BENCH=ON \
    -DPOSE_SPDLOG_HEADER_ONLY=ON -DPOSE_WITH_SENTENCEPIECE="$spm" \
    "${torch_args[@]}" \
    -Dspdlog_DIR="$LIBDIR/cmake/spdlog" -Dfmt_DIR="$LIBDIR/cmake/fmt" \
    -Dnlohmann_json_DIR="$DEPS/usr/share/cmake/nlohmann_json" \
    -DSQLite3_INCLUDE_DIR="$DEPS/usr/include" -DSQLite3_LIBRARY="$sqlite_lib" \
    "${pkgconfig_args[@]}" >"$OUT/configure-$1.log" 2>&1
}

if [ "$do_configure" = 1 ]; then
  stage "configure ($BUILD)"
  mode_used="$TORCH_CONFIG"
  if ! configure "$TORCH_CONFIG"; then
    tail -n 25 "$OUT/configure-$TORCH_CONFIG.log"
    other=official
    [ "$TORCH_CONFIG" = official ] && other=wheel
    echo "run.sh: the $TORCH_CONFIG configuration failed (log: $OUT/configure-$TORCH_CONFIG.log); trying $other"
    rm -rf "$BUILD/CMakeCache.txt" "$BUILD/CMakeFiles"
    mode_used="$other"
    if ! configure "$other"; then
      tail -n 40 "$OUT/configure-$other.log"
      die "configure failed both ways (logs: $OUT/configure-*.log)"
    fi
  fi
  grep -E "Torch \(wheel\)|Found Torch|pose_core: building with CUDA|header-only|SentencePiece module|Found sentencepiece|Found SQLite3" \
    "$OUT/configure-$mode_used.log" | sed 's/^/  /' || true
  echo "$mode_used" >"$BUILD/torch-config-mode"
  if [ "$configure_only" = 1 ]; then
    echo "configured $BUILD ($mode_used); --configure-only: stopping here"
    exit 0
  fi
fi
[ -f "$BUILD/CMakeCache.txt" ] || die "$BUILD is not configured: run without --no-configure"

stage "build (pose, bench_gpu_training; $(nproc) jobs)"
if grep -q "^POSE_WITH_SENTENCEPIECE:BOOL=ON" "$BUILD/CMakeCache.txt"; then
  # The module alone first: if Debian's libsentencepiece does not link here, the
  # engine is built without it rather than not at all.
  if ! cmake --build "$BUILD" --target pose_spm -j "$(nproc)" >"$OUT/build-spm.log" 2>&1; then
    tail -n 15 "$OUT/build-spm.log"
    echo "run.sh: libpose_spm.so did not build (log: $OUT/build-spm.log); building without the SentencePiece module"
    cmake -DPOSE_WITH_SENTENCEPIECE=OFF "$BUILD" >>"$OUT/configure-spm-off.log" 2>&1 || die "reconfigure failed"
  fi
fi
if ! cmake --build "$BUILD" --target pose bench_gpu_training -j "$(nproc)" >"$OUT/build.log" 2>&1; then
  grep -E "error|Error" "$OUT/build.log" | head -n 20 || true
  tail -n 30 "$OUT/build.log"
  die "build failed (log: $OUT/build.log); POSE_GPU_TORCH_CONFIG=official (or wheel) tries the other LibTorch configuration"
fi
# The data-parallel bench is optional: without it the rest still runs.
cmake --build "$BUILD" --target bench_gradient_overlap -j "$(nproc)" >"$OUT/build-overlap.log" 2>&1 ||
  echo "run.sh: bench_gradient_overlap did not build (log: $OUT/build-overlap.log); its stage is skipped"
echo "built in ${SECONDS}s since start"

POSE="$BUILD/bin/pose"
BENCH="$BUILD/bench/bench_gpu_training"
# The wheel's libtorch_cuda finds its CUDA libraries (nvidia-* wheels) through its
# own RUNPATH; should a wheel lack one, the same directories are named here, so
# that the engine loads exactly what Python's torch loads.
engine_env=(env)
if [ "$(cat "$BUILD/torch-config-mode" 2>/dev/null || echo wheel)" = wheel ]; then
  wheel_lib_path="$("$PYTHON" -c 'import glob, os, torch
site = os.path.dirname(os.path.dirname(torch.__file__))
print(":".join([os.path.join(os.path.dirname(torch.__file__), "lib")] + sorted(glob.glob(os.path.join(site, "nvidia", "*", "lib")))))')"
  engine_env=(env "LD_LIBRARY_PATH=$wheel_lib_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
fi
stage "pose --version"
"${engine_env[@]}" "$POSE" --version >"$OUT/pose-version.txt" 2>&1 ||
  { cat "$OUT/pose-version.txt"; die "pose --version failed"; }
cat "$OUT/pose-version.txt"
grep -q "^CUDA: available" "$OUT/pose-version.txt" ||
  die "pose does not see the GPU that PyTorch sees: LibTorch's CUDA library is not linked in (see $OUT/configure-*.log)"

# ---------------------------------------------------------------- measure
if [ -z "${PEAK_TFLOPS:-}" ]; then
  case "$GPU_NAME" in
    *H100*PCIe*) PEAK_TFLOPS=756 ;;
    *H100*NVL*) PEAK_TFLOPS=835 ;;
    *H100*|*H200*|*H800*) PEAK_TFLOPS=989 ;;
    *A100*) PEAK_TFLOPS=312 ;;
    *) PEAK_TFLOPS=989; echo "run.sh: unknown GPU '$GPU_NAME': MFU against 989 TFLOP/s (set PEAK_TFLOPS)" ;;
  esac
fi
echo "MFU against $PEAK_TFLOPS TFLOP/s dense bf16 ($GPU_NAME)"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
rm -f "$OUT"/engine-round*.json "$OUT"/hf-round*.json "$OUT/pose-vs-full.json"
common=(--batch 4 --length 2048 --warmup "$warmup" --steps "$steps" --peak-tflops "$PEAK_TFLOPS")

run_engine() {  # $1: round
  local t0=$SECONDS
  echo "-- engine, round $1"
  timeout 300 "${engine_env[@]}" "$BENCH" --mode train "${common[@]}" --json "$OUT/engine-round$1.json" 2>&1 |
    tee "$OUT/engine-round$1.log" | grep -v "^PoSE Studio\|^LibTorch\|^CPU threads" || echo "run.sh: engine round $1 failed"
  engine_s=$((SECONDS - t0))
}
run_peer() {  # $1: round
  local t0=$SECONDS
  echo "-- HF transformers, round $1"
  timeout 300 "$PYTHON" "$ROOT/tools/gpu_bench/hf_peer.py" "${common[@]}" --json "$OUT/hf-round$1.json" \
    >"$OUT/hf-round$1.out" 2>"$OUT/hf-round$1.log" || echo "run.sh: HF round $1 failed"
  grep -v "Warning\|warn(" "$OUT/hf-round$1.log" | tail -n 5 || true
  peer_s=$((SECONDS - t0))
}

engine_s=0
peer_s=0
stage "round 1"
run_engine 1
if [ "$peer" = 1 ]; then run_peer 1; fi
if [ "$pose_vs_full" = 1 ]; then
  stage "PoSE at 2048 vs Full-length at 16384 (activation checkpointing, batch 1)"
  timeout 400 "${engine_env[@]}" "$BENCH" --mode pose-vs-full --length 2048 --target-length 16384 --batch 1 --warmup 2 --steps 5 \
    --peak-tflops "$PEAK_TFLOPS" --json "$OUT/pose-vs-full.json" 2>&1 |
    tee "$OUT/pose-vs-full.log" | grep -v "^PoSE Studio\|^LibTorch\|^CPU threads" || echo "run.sh: pose-vs-full failed"
fi
# LoRA (rank 16 on q/k/v/o, frozen projections in bf16) with activation
# checkpointing: tokens/s, and the measured peak beside the cost estimate's.
if [ $((SECONDS + engine_s + 10)) -le "$BUDGET" ]; then
  stage "LoRA rank 16 with activation checkpointing (peak memory against the estimate)"
  timeout 300 "${engine_env[@]}" "$BENCH" --mode train "${common[@]}" --lora 16 --checkpointing yes --breakdown no \
    --json "$OUT/lora.json" 2>&1 | tee "$OUT/lora.log" | grep -v "^PoSE Studio\|^LibTorch\|^CPU threads" ||
    echo "run.sh: LoRA run failed"
fi
# Data parallelism over NCCL (distributed/gradient_reducer.h): one rank per GPU,
# gradients summed during the backward pass against after it. With one GPU,
# world 1 still runs NCCL's process group and the reducer end to end.
OVERLAP="$BUILD/bench/bench_gradient_overlap"
if [ -x "$OVERLAP" ] && [ $((SECONDS + 90)) -le "$BUDGET" ]; then
  ngpu="$(nvidia-smi -L 2>/dev/null | wc -l)"
  [ "$ngpu" -ge 1 ] || ngpu=1
  stage "data-parallel gradient sync over NCCL ($ngpu GPU(s))"
  timeout 120 "${engine_env[@]}" "$OVERLAP" --cuda --world "$ngpu" --hidden 2048 --layers 16 --tokens 2048 --accum 2 \
    --steps 5 --blocks 2 2>&1 | tee "$OUT/gradient-overlap.log" || echo "run.sh: data-parallel stage failed"
fi
r=2
while [ "$r" -le "$rounds" ]; do
  need=$((engine_s + peer_s + 10))
  if [ $((SECONDS + need)) -gt "$BUDGET" ]; then
    echo "run.sh: round $r skipped: ${SECONDS}s spent, it needs ~${need}s, budget ${BUDGET}s (POSE_GPU_TIME_BUDGET; --no-configure reruns without building)"
    break
  fi
  stage "round $r"
  # The other order this time: neither side always runs on a GPU just warmed by the other.
  if [ "$peer" = 0 ]; then
    run_engine "$r"
  elif [ $((r % 2)) = 0 ]; then
    run_peer "$r"
    run_engine "$r"
  else
    run_engine "$r"
    run_peer "$r"
  fi
  r=$((r + 1))
done

# ---------------------------------------------------------------- summary
stage "summary"
"$PYTHON" - "$OUT" <<'EOF'
import glob, json, os, sys
out = sys.argv[1]
def load(pattern):
    runs = []
    for path in sorted(glob.glob(os.path.join(out, pattern))):
        try:
            with open(path) as f:
                j = json.load(f)
        except (OSError, ValueError):
            continue
        if "tokens_per_s" in j:
            runs.append(j)
    return runs
engine, hf = load("engine-round*.json"), load("hf-round*.json")
best = lambda runs: max(runs, key=lambda j: j["tokens_per_s"]) if runs else None
e, h = best(engine), best(hf)
lines = []
say = lines.append
if e:
    m = e["model"]
    say(f"GPU: {e['device']}; engine LibTorch {e['torch_version']}" + (f", HF transformers {h['transformers_version']} on torch {h['torch_version']}" if h else ""))
    say(f"model: {m['parameters'] / 1e9:.3f}B parameters (hidden {m['hidden']}, MLP {m['intermediate']}, {m['layers']} layers, "
        f"{m['heads']}/{m['kv_heads']} heads, vocab {m['vocab']}), random init; {e['precision']}; "
        f"batch {e['batch']} x length {e['length']}; best of {len(engine)} engine / {len(hf)} HF rounds, each the median of "
        f"{e['timed_steps']} steps after {e['warmup_steps']} warm-up")
    say("")
    say(f"{'':24} {'tokens/s':>10} {'ms/step':>9} {'MFU':>7} {'peak MiB':>10} {'attention':>10}")
    for name, j in (("engine (pose)", e), ("HF LlamaForCausalLM", h)):
        if j:
            say(f"{name:24} {j['tokens_per_s']:10.0f} {1e3 * j['step_s']:9.1f} {100 * j['mfu']:6.1f}% {j['peak_memory_mib']:10.0f} {j['attention_kernel']:>10}")
    for name, j in (("engine", e), ("HF", h)):
        if j and "breakdown_ms" in j:
            b = j["breakdown_ms"]
            say(f"  {name} step parts (ms): " + ", ".join(f"{k} {b[k]:.1f}" for k in ("forward", "backward", "clip", "optimizer") if k in b))
    say(f"MFU: model FLOPs {e['train_flops_per_token'] / 1e9:.2f} GFLOP/token (3 x forward) over {e['peak_tflops']:.0f} TFLOP/s")
    if h:
        ratio = e["tokens_per_s"] / h["tokens_per_s"]
        say(f"engine / HF: tokens/s {ratio:.2f}x (target >= 1.10: {'met' if ratio >= 1.1 else 'NOT met'}), "
            f"peak memory {e['peak_memory_mib'] / h['peak_memory_mib']:.2f}x")
    say(f"engine MFU {100 * e['mfu']:.1f}% (target >= 50%: {'met' if e['mfu'] >= 0.5 else 'NOT met'})")
    say(f"first-step loss: engine {e['first_loss']:.3f}" + (f", HF {h['first_loss']:.3f}" if h else ""))
else:
    say("no engine result (see engine-round*.log)")
pvf_path = os.path.join(out, "pose-vs-full.json")
pvf = None
if os.path.exists(pvf_path):
    with open(pvf_path) as f:
        pvf = json.load(f)
if pvf and "pose" in pvf:
    say("")
    say(f"PoSE vs Full-length, batch {pvf['batch']}, activation checkpointing {'on' if pvf['activation_checkpointing'] else 'off'}:")
    say(f"{'':24} {'tokens/step':>11} {'ms/step':>9} {'tokens/s':>10} {'peak MiB':>10}")
    for k in ("pose", "full"):
        a = pvf[k]
        say(f"{k + ' at ' + str(a['train_len']):24} {a['train_len'] * pvf['batch']:11d} {1e3 * a['step_s']:9.1f} {a['tokens_per_s']:10.0f} {a['peak_memory_mib']:10.0f}")
    say(f"full / pose: step time {pvf['time_ratio_full_over_pose']:.2f}x (FLOP ratio {pvf['ideal_ratio_flops']:.2f}x), "
        f"peak memory {pvf['memory_ratio_full_over_pose']:.2f}x")
elif pvf is not None:
    say("pose-vs-full: no result (see pose-vs-full.log)")
text = "\n".join(lines) + "\n"
print(text, end="")
with open(os.path.join(out, "summary.txt"), "w") as f:
    f.write(text)
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump({"engine_best": e, "hf_best": h, "engine_rounds": engine, "hf_rounds": hf, "pose_vs_full": pvf}, f, indent=2)
EOF
echo "results in $OUT (summary.txt, summary.json, *.json, *.log); ${SECONDS}s in all"

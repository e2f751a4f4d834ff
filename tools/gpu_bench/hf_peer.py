#!/usr/bin/env python3
"""HF transformers' LlamaForCausalLM trained the way bench_gpu_training trains the
engine, on the same GPU: the peer of tools/gpu_bench/run.sh.

Same model shape (TinyLlama-1.1B's unless overridden), random init, attention
implementation "sdpa"; same precision scheme as the engine's trainer
(core/train/precision.h): fp32 weights, gradients and AdamW state, forward under
torch.autocast(bfloat16). The engine runs backward inside its autocast scope;
here backward follows the autocast block, as PyTorch recommends: autocast only
decides the dtypes of forward ops, and backward ops take the dtypes of theirs,
so both sides compute the same thing. Same optimizer settings (AdamW lr 1e-4,
betas 0.9/0.95, eps 1e-8, weight decay 0.1 on every parameter), clipping at
global norm 1.0, the same batch and length, random token ids as labels (HF
shifts them), the same warm-up steps and timing (synchronise around each timed
step, median), and the same peak-memory statistic (the caching allocator's peak
of allocated bytes over the timed steps).

The AdamW implementation is PyTorch's default for CUDA tensors (foreach) unless
--adamw says otherwise; the engine's is LibTorch's C++ AdamW.

Prints one JSON line on stdout (progress goes to stderr); --json FILE writes it too.
"""
import argparse
import json
import math
import statistics
import sys
import time


def parameter_count(hidden, intermediate, layers, heads, kv_heads, vocab, head_dim, tied):
    """ModelConfig::parameter_count() of core/model/model_config.cpp, LLaMA without biases."""
    q_out = heads * head_dim
    kv_out = kv_heads * head_dim
    attention = hidden * q_out + 2 * hidden * kv_out + q_out * hidden
    mlp = 3 * hidden * intermediate
    norms = 2 * hidden
    embeddings = vocab * hidden
    return embeddings + layers * (attention + mlp + norms) + hidden + (0 if tied else embeddings)


def forward_flops_per_token(hidden, intermediate, layers, heads, kv_heads, vocab, head_dim, tied, context):
    """experiment::forward_flops_per_token() of core/experiment/periodic_eval.cpp."""
    head = vocab * hidden
    matmul_params = parameter_count(hidden, intermediate, layers, heads, kv_heads, vocab, head_dim, tied) - (
        0 if tied else head)
    attention = 4.0 * (heads * head_dim) * context * layers
    # A causal token attends to half the window on average.
    return 2.0 * matmul_params + attention * 0.5


def log(*parts):
    print("hf_peer:", *parts, file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, default=2048)
    ap.add_argument("--intermediate", type=int, default=5632)
    ap.add_argument("--layers", type=int, default=22)
    ap.add_argument("--heads", type=int, default=32)
    ap.add_argument("--kv-heads", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=32000)
    ap.add_argument("--length", type=int, default=2048)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--peak-tflops", type=float, default=989.0)
    ap.add_argument("--adamw", choices=["default", "forloop", "foreach", "fused"], default="default",
                    help="torch.optim.AdamW implementation (default: PyTorch's choice, foreach on CUDA)")
    ap.add_argument("--breakdown", choices=["yes", "no"], default="yes")
    ap.add_argument("--json", default="")
    args = ap.parse_args()

    import torch
    import transformers
    from transformers import LlamaConfig, LlamaForCausalLM

    def emit(result):
        line = json.dumps(result)
        print(line, flush=True)
        if args.json:
            with open(args.json, "w") as f:
                f.write(json.dumps(result, indent=2) + "\n")

    if not torch.cuda.is_available():
        log("no CUDA device: this peer needs one")
        emit({"engine": "hf", "skipped": "no CUDA device"})
        return 0

    device = torch.device("cuda", 0)
    head_dim = args.hidden // args.heads
    config = LlamaConfig(
        vocab_size=args.vocab,
        hidden_size=args.hidden,
        intermediate_size=args.intermediate,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        num_key_value_heads=args.kv_heads,
        max_position_embeddings=args.length,
        rms_norm_eps=1e-5,
        rope_theta=10000.0,
        hidden_act="silu",
        initializer_range=0.02,
        attention_bias=False,
        tie_word_embeddings=False,
        use_cache=False,
        attn_implementation="sdpa",
    )
    torch.manual_seed(1)
    with torch.device(device):  # initialised on the GPU, in fp32
        try:
            model = LlamaForCausalLM._from_config(config, attn_implementation="sdpa")
        except (TypeError, AttributeError):  # transformers without that keyword
            model = LlamaForCausalLM(config)
    model.train()
    attn = getattr(model.config, "_attn_implementation", "?")
    if attn != "sdpa":
        log(f"warning: attention implementation is {attn!r}, not 'sdpa'")
    params = sum(p.numel() for p in model.parameters())
    expected = parameter_count(args.hidden, args.intermediate, args.layers, args.heads, args.kv_heads, args.vocab,
                               head_dim, False)
    if params != expected:
        log(f"warning: {params} parameters, the engine's formula says {expected}")

    adamw_kwargs = {}
    if args.adamw == "forloop":
        adamw_kwargs["foreach"] = False
    elif args.adamw == "foreach":
        adamw_kwargs["foreach"] = True
    elif args.adamw == "fused":
        adamw_kwargs["fused"] = True
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1,
                                  **adamw_kwargs)

    def random_ids():
        # On the host, as the engine's batches are; moved inside the step.
        return torch.randint(3, args.vocab, (args.batch, args.length), dtype=torch.long)

    def step(ids):
        optimizer.zero_grad()
        ids = ids.to(device)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(input_ids=ids, labels=ids, use_cache=False).loss
        loss.backward()
        value = loss.item()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return value

    def breakdown(ids):
        parts = {}
        torch.cuda.synchronize()
        t = time.perf_counter()

        def lap(name):
            nonlocal t
            torch.cuda.synchronize()
            now = time.perf_counter()
            parts[name] = 1e3 * (now - t)
            t = now

        optimizer.zero_grad()
        ids = ids.to(device)
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(input_ids=ids, labels=ids, use_cache=False).loss
        lap("forward")
        loss.backward()
        loss.item()
        lap("backward")
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        lap("clip")
        optimizer.step()
        lap("optimizer")
        return parts

    log(f"torch {torch.__version__}, transformers {transformers.__version__}, {torch.cuda.get_device_name(0)}; "
        f"{params / 1e9:.3f}B parameters, attention {attn}; batch {args.batch} x length {args.length}")
    first_loss = None
    for w in range(args.warmup):
        loss = step(random_ids())
        if w == 0:
            first_loss = loss
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats(device)
    times = []
    last_loss = None
    for _ in range(args.steps):
        ids = random_ids()
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        last_loss = step(ids)
        torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    peak_mib = torch.cuda.max_memory_allocated(device) / (1024.0 * 1024.0)
    parts = breakdown(random_ids()) if args.breakdown == "yes" else None

    step_s = statistics.median(times)
    tokens_per_s = args.batch * args.length / step_s
    flops_per_token = 3.0 * forward_flops_per_token(args.hidden, args.intermediate, args.layers, args.heads,
                                                    args.kv_heads, args.vocab, head_dim, False, float(args.length))
    achieved_tflops = flops_per_token * tokens_per_s / 1e12
    optimizer_name = {"default": "PyTorch default (foreach on CUDA)", "forloop": "for-loop", "foreach": "foreach",
                      "fused": "fused"}[args.adamw]
    result = {
        "engine": "hf",
        "mode": "train",
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
        "device": torch.cuda.get_device_name(0),
        "attention_kernel": attn,
        "precision": "bf16 autocast over fp32 weights",
        "optimizer": f"torch.optim.AdamW ({optimizer_name}), lr 1e-4, betas 0.9/0.95, eps 1e-8, wd 0.1; clip 1.0",
        "model": {"hidden": args.hidden, "intermediate": args.intermediate, "layers": args.layers,
                  "heads": args.heads, "kv_heads": args.kv_heads, "vocab": args.vocab, "tie_word_embeddings": False,
                  "parameters": params},
        "warmup_steps": args.warmup,
        "timed_steps": args.steps,
        "peak_tflops": args.peak_tflops,
        "batch": args.batch,
        "length": args.length,
        "activation_checkpointing": False,
        "step_s": step_s,
        "step_min_s": min(times),
        "tokens_per_s": tokens_per_s,
        "peak_memory_mib": peak_mib,
        "train_flops_per_token": flops_per_token,
        "achieved_tflops": achieved_tflops,
        "mfu": achieved_tflops / args.peak_tflops,
        "first_loss": first_loss,
        "last_loss": last_loss,
    }
    if parts:
        result["breakdown_ms"] = parts
    log(f"{tokens_per_s:.0f} tokens/s, {1e3 * step_s:.1f} ms/step, {peak_mib:.0f} MiB peak, "
        f"{100 * result['mfu']:.1f}% MFU; loss {first_loss:.3f} -> {last_loss:.3f} (ln V = {math.log(args.vocab):.3f})")
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

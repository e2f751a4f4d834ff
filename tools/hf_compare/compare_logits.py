#!/usr/bin/env python3
"""Compare PoSE Studio's LLaMA forward pass with HF transformers, logit by logit.

PoSE Studio's engine is C++ (LibTorch); this script is the independent check
that its decoder, RoPE scaling and checkpoint layout match HF transformers'
LlamaForCausalLM (and Mistral / Qwen2) numerically.

Two ways to run it (needs: python3, torch, transformers, safetensors; CPU is fine):

1. One directory, logits already dumped by the C++ side:

     pose model init --config tests/data/model/tiny_llama_yarn.json --out /tmp/tiny
     pose model logits /tmp/tiny --ids 1,5,9,33 --positions 0,1,2,3 --out /tmp/ours.json
     python3 tools/hf_compare/compare_logits.py --model /tmp/tiny --ours /tmp/ours.json

2. Every RoPE method end to end (runs the `pose` binary for each):

     python3 tools/hf_compare/compare_logits.py --pose build/dev/bin/pose --all-methods

   For each of none, linear, dynamic, yarn, llama3 it writes a tiny random
   model with `pose model init`, dumps our logits with `pose model logits` for
   a sequence longer than max_position_embeddings (so dynamic NTK actually
   rescales), loads the directory with transformers in fp32 and compares.
   Add --skipped-positions to feed PoSE-style non-contiguous position ids.

Prints the max absolute logit difference per case and exits 1 if any exceeds
--tolerance (default 1e-4).

Our logits file (from `pose model logits`): JSON {"ids": [...], "position_ids":
[...], "logits": [[V floats] x T]}, or a .safetensors with tensors "logits"
[T, V], "ids" [T] and "position_ids" [T].
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

# Methods HF transformers implements (ntk and yarn-pose are PoSE Studio's own
# and are refused by transformers on purpose).
HF_METHODS = ["none", "linear", "dynamic", "yarn", "llama3"]

# A tiny LLaMA: GQA (4 heads, 2 kv heads), untied head, 2 layers.
BASE_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_act": "silu",
    "vocab_size": 128,
    "hidden_size": 64,
    "intermediate_size": 160,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "rms_norm_eps": 1e-6,
    "max_position_embeddings": 32,
    "rope_theta": 10000.0,
    "tie_word_embeddings": False,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}

SEQ_LEN = 48  # > max_position_embeddings: dynamic NTK rescales


def rope_scaling_for(method):
    if method == "none":
        return None
    if method == "linear":
        return {"rope_type": "linear", "factor": 4.0}
    if method == "dynamic":
        return {"rope_type": "dynamic", "factor": 2.0}
    if method == "yarn":
        return {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 16}
    if method == "llama3":
        return {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                "original_max_position_embeddings": 16}
    raise ValueError(method)


def load_ours(path):
    """Returns (ids, position_ids, logits [T, V] float64 tensor)."""
    import torch

    if path.endswith(".safetensors"):
        from safetensors.torch import load_file

        t = load_file(path)
        return t["ids"].tolist(), t["position_ids"].tolist(), t["logits"].double()
    with open(path) as f:
        j = json.load(f)
    return j["ids"], j["position_ids"], torch.tensor(j["logits"], dtype=torch.float64)


def hf_logits(model_dir, ids, position_ids, attn_implementation):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(
        model_dir, torch_dtype=torch.float32, attn_implementation=attn_implementation)
    model.eval()
    with torch.no_grad():
        out = model(input_ids=torch.tensor([ids]), position_ids=torch.tensor([position_ids]), use_cache=False)
    return out.logits[0].double()


def compare(model_dir, ours_path, attn_implementation):
    ids, position_ids, ours = load_ours(ours_path)
    theirs = hf_logits(model_dir, ids, position_ids, attn_implementation)
    if theirs.shape != ours.shape:
        raise SystemExit(f"shape mismatch: HF {tuple(theirs.shape)} vs ours {tuple(ours.shape)}")
    return (theirs - ours).abs().max().item()


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr}")


def all_methods(pose, attn_implementation, skipped, seed):
    ids = [(7 * i + 3) % BASE_CONFIG["vocab_size"] for i in range(SEQ_LEN)]
    if skipped:
        # Two chunks with a position skip, as a PoSE training sample.
        half = SEQ_LEN // 2
        positions = list(range(half)) + list(range(half + 40, half + 40 + SEQ_LEN - half))
    else:
        positions = list(range(SEQ_LEN))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for method in HF_METHODS:
            config = dict(BASE_CONFIG)
            config["rope_scaling"] = rope_scaling_for(method)
            config_path = os.path.join(tmp, f"{method}.json")
            with open(config_path, "w") as f:
                json.dump(config, f)
            model_dir = os.path.join(tmp, method)
            ours_path = os.path.join(tmp, f"{method}_logits.json")
            run([pose, "model", "init", "--config", config_path, "--out", model_dir, "--seed", str(seed)])
            run([pose, "model", "logits", model_dir, "--ids", ",".join(map(str, ids)),
                 "--positions", ",".join(map(str, positions)), "--out", ours_path])
            results[method] = compare(model_dir, ours_path, attn_implementation)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="HF directory written by `pose model init` (mode 1)")
    parser.add_argument("--ours", help="our logits: JSON from `pose model logits`, or .safetensors (mode 1)")
    parser.add_argument("--pose", help="path of the `pose` executable (mode 2)")
    parser.add_argument("--all-methods", action="store_true", help="mode 2: none, linear, dynamic, yarn, llama3")
    parser.add_argument("--skipped-positions", action="store_true", help="mode 2: non-contiguous position ids")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--attn", default="eager", choices=["eager", "sdpa"], help="HF attention implementation")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    if args.all_methods:
        if not args.pose:
            parser.error("--all-methods needs --pose PATH_TO_POSE")
        results = all_methods(args.pose, args.attn, args.skipped_positions, args.seed)
    elif args.model and args.ours:
        results = {os.path.basename(os.path.normpath(args.model)): compare(args.model, args.ours, args.attn)}
    else:
        parser.error("give --model DIR --ours FILE, or --pose PATH --all-methods")

    failed = False
    for name, diff in results.items():
        ok = diff <= args.tolerance
        failed |= not ok
        print(f"{name:10s} max |logit diff| = {diff:.3e}  {'ok' if ok else 'FAIL'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

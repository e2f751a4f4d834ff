#!/usr/bin/env python3
"""The Python PyTorch peer of bench/bench_cpu_training: the same LLaMA architecture
(GQA attention with RoPE from explicit position ids, RMSNorm, SwiGLU, tied
embeddings), written the way the Hugging Face eager implementation writes it
(separate q/k/v and gate/up projections, a materialised additive causal mask,
cross-entropy over the full logits), trained with the same AdamW step and
gradient clipping on random tokens.

Prints one JSON object on stdout so that the C++ bench can read it:
  {"tokens_per_s": ..., "step_s": ..., "first_loss": ..., "gemm_gflops": ...,
   "threads": ..., "torch": "1.13.1"}

With --eval, the peer of bench/bench_eval instead: perplexity-style scoring,
no gradients, windows of --length tokens batched --batch at a time; prints
{"tokens_per_s": ..., "loss": ...}. With --passkey, teacher-forced retrieval
scoring: prompts of --length tokens batched --batch at a time, the argmax of
the logits over the last --span answer positions (logits only there); prints
{"tokens_per_s": ..., "trials_per_s": ...}.

Run by hand:  python3 bench/python/llama_peer.py --hidden 256 --layers 6 ...
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope_tables(position_ids, head_dim, theta):
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    freqs = position_ids.float().unsqueeze(-1) * inv_freq  # [B, T, D/2]
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)  # [B, 1, T, D]


class Attention(nn.Module):
    def __init__(self, hidden, heads, kv_heads):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, hidden // heads
        self.q_proj = nn.Linear(hidden, heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(heads * self.head_dim, hidden, bias=False)

    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.heads // self.kv_heads
        if rep > 1:
            k = k[:, :, None].expand(b, self.kv_heads, rep, t, self.head_dim).reshape(b, self.heads, t, self.head_dim)
            v = v[:, :, None].expand(b, self.kv_heads, rep, t, self.head_dim).reshape(b, self.heads, t, self.head_dim)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim) + mask
        probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, t, -1)
        return self.o_proj(out)


class Mlp(nn.Module):
    def __init__(self, hidden, intermediate):
        super().__init__()
        self.gate_proj = nn.Linear(hidden, intermediate, bias=False)
        self.up_proj = nn.Linear(hidden, intermediate, bias=False)
        self.down_proj = nn.Linear(intermediate, hidden, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.input_layernorm = RMSNorm(a.hidden, a.eps)
        self.self_attn = Attention(a.hidden, a.heads, a.kv_heads)
        self.post_attention_layernorm = RMSNorm(a.hidden, a.eps)
        self.mlp = Mlp(a.hidden, a.intermediate)

    def forward(self, h, cos, sin, mask):
        h = h + self.self_attn(self.input_layernorm(h), cos, sin, mask)
        return h + self.mlp(self.post_attention_layernorm(h))


class Llama(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.a = a
        self.embed_tokens = nn.Embedding(a.vocab, a.hidden)
        self.layers = nn.ModuleList(Layer(a) for _ in range(a.layers))
        self.norm = RMSNorm(a.hidden, a.eps)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def hidden(self, ids, position_ids):
        b, t = ids.shape
        mask = torch.full((t, t), float("-inf")).triu(1)[None, None]
        cos, sin = rope_tables(position_ids, self.a.hidden // self.a.heads, self.a.theta)
        h = self.embed_tokens(ids)
        for layer in self.layers:
            h = layer(h, cos, sin, mask)
        return self.norm(h)

    def forward(self, ids, position_ids, labels):
        logits = F.linear(self.hidden(ids, position_ids), self.embed_tokens.weight).float()  # tied LM head
        return F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)), labels[:, 1:].reshape(-1))


def gemm_gflops(n, repeats):
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n ** 3 / best / 1e9


def main():
    p = argparse.ArgumentParser()
    for name, default in [("hidden", 256), ("layers", 6), ("heads", 8), ("kv-heads", 4), ("intermediate", 688),
                          ("vocab", 4096), ("batch", 8), ("length", 256), ("steps", 10), ("threads", 2),
                          ("gemm", 1024)]:
        p.add_argument("--" + name, type=int, default=default)
    p.add_argument("--eps", type=float, default=1e-5)
    p.add_argument("--theta", type=float, default=10000.0)
    p.add_argument("--eval", action="store_true", help="time no-grad scoring instead of training")
    p.add_argument("--bf16", action="store_true", help="forward and backward under CPU bf16 autocast")
    p.add_argument("--passkey", action="store_true", help="time teacher-forced retrieval scoring")
    p.add_argument("--span", type=int, default=6, help="answer positions scored per prompt (--passkey)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = Llama(a)
    if a.eval:
        return evaluate(model, a)
    if a.passkey:
        return passkey(model, a)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, betas=(0.9, 0.95), weight_decay=0.1)
    positions = torch.arange(a.length).unsqueeze(0).expand(a.batch, a.length)
    times, first_loss = [], None
    for step in range(a.steps + 1):  # step 0 warms up allocators and is not counted
        ids = torch.randint(3, a.vocab, (a.batch, a.length))
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
            loss = model(ids, positions, ids)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss_value = loss.item()
        if step > 0:
            times.append(time.perf_counter() - t0)
        if first_loss is None:
            first_loss = loss_value
    times.sort()
    step_s = times[len(times) // 2]  # median
    print(json.dumps({"tokens_per_s": a.batch * a.length / step_s, "step_s": step_s, "first_loss": first_loss,
                      "gemm_gflops": gemm_gflops(a.gemm, 5), "threads": torch.get_num_threads(),
                      "torch": torch.__version__,
                      "parameters": sum(p.numel() for p in model.parameters())}))


def evaluate(model, a):
    model.eval()
    positions = torch.arange(a.length).unsqueeze(0).expand(a.batch, a.length)
    times, loss_value = [], None
    with torch.no_grad():
        for step in range(a.steps + 1):  # the first batch warms up and is not counted
            ids = torch.randint(3, a.vocab, (a.batch, a.length))
            t0 = time.perf_counter()
            loss_value = model(ids, positions, ids).item()
            if step > 0:
                times.append(time.perf_counter() - t0)
    times.sort()
    step_s = times[len(times) // 2]
    print(json.dumps({"tokens_per_s": a.batch * (a.length - 1) / step_s, "step_s": step_s, "loss": loss_value,
                      "threads": torch.get_num_threads()}))


def passkey(model, a):
    model.eval()
    positions = torch.arange(a.length).unsqueeze(0).expand(a.batch, a.length)
    begin = a.length - 1 - a.span  # position t predicts token t + 1: the answer ends the prompt
    times = []
    with torch.no_grad():
        for step in range(a.steps + 1):  # the first batch warms up and is not counted
            ids = torch.randint(3, a.vocab, (a.batch, a.length))
            t0 = time.perf_counter()
            h = model.hidden(ids, positions)[:, begin:begin + a.span]
            predicted = F.linear(h, model.embed_tokens.weight).float().argmax(-1)
            predicted.sum().item()
            if step > 0:
                times.append(time.perf_counter() - t0)
    times.sort()
    step_s = times[len(times) // 2]
    print(json.dumps({"tokens_per_s": a.batch * a.length / step_s, "trials_per_s": a.batch / step_s,
                      "step_s": step_s, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()

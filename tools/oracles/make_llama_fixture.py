#!/usr/bin/python3
"""Writes fixtures/llamaTiny.json: a tiny random LLaMA, its inputs and PyTorch's logits.

The forward pass below follows Hugging Face transformers' modeling_llama (eager attention) line by line,
in plain torch, because transformers is not installed here: RMSNorm with the variance in fp32, rotate_half
rotary embeddings, repeat_kv for grouped KV heads, causal softmax attention in fp32, SiLU-gated MLP.
The TypeScript reference (llama.ts) must reproduce these logits.

Weights are multiples of 2^-14 stored as int16, so they are exact in fp32 and the fixture stays small.
Run: /usr/bin/python3 tools/oracles/make_llama_fixture.py
"""
import base64
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.manual_seed(0)

CONFIG = {
    'hidden_size': 32,
    'intermediate_size': 64,
    'num_attention_heads': 4,
    'num_key_value_heads': 2,  # grouped KV heads: two query heads share each KV head
    'num_hidden_layers': 2,
    'rms_norm_eps': 1e-5,
    'rope_theta': 10000.0,
    'max_position_embeddings': 64,
    'vocab_size': 100,
}
WEIGHT_SCALE = 2.0 ** -14
HERE = os.path.dirname(os.path.abspath(__file__))


def quantized(shape, std, mean=0.0):
    """Random normal values rounded to multiples of WEIGHT_SCALE (exact in fp32 and in int16)."""
    w = torch.randn(*shape) * std + mean
    return torch.clamp(torch.round(w / WEIGHT_SCALE), -32768, 32767) * WEIGHT_SCALE


def make_weights(c):
    h, m, v = c['hidden_size'], c['intermediate_size'], c['vocab_size']
    d = h // c['num_attention_heads']
    kv = c['num_key_value_heads'] * d
    w = {'model.embed_tokens.weight': quantized((v, h), 1.0)}
    for i in range(c['num_hidden_layers']):
        p = f'model.layers.{i}'
        # Norm weights away from 1 so that a reference that ignores them fails.
        w[f'{p}.input_layernorm.weight'] = quantized((h,), 0.2, 1.0)
        w[f'{p}.self_attn.q_proj.weight'] = quantized((h, h), 0.4)
        w[f'{p}.self_attn.k_proj.weight'] = quantized((kv, h), 0.4)
        w[f'{p}.self_attn.v_proj.weight'] = quantized((kv, h), 0.2)
        w[f'{p}.self_attn.o_proj.weight'] = quantized((h, h), 0.2)
        w[f'{p}.post_attention_layernorm.weight'] = quantized((h,), 0.2, 1.0)
        w[f'{p}.mlp.gate_proj.weight'] = quantized((m, h), 0.3)
        w[f'{p}.mlp.up_proj.weight'] = quantized((m, h), 0.3)
        w[f'{p}.mlp.down_proj.weight'] = quantized((h, m), 0.2)
    w['model.norm.weight'] = quantized((h,), 0.2, 1.0)
    w['lm_head.weight'] = quantized((v, h), 0.3)
    return w


def rms_norm(x, weight, eps):
    # LlamaRMSNorm.forward
    input_dtype = x.dtype
    x = x.to(torch.float32)
    variance = x.pow(2).mean(-1, keepdim=True)
    x = x * torch.rsqrt(variance + eps)
    return weight * x.to(input_dtype)


def rotary_cos_sin(positions, dim, base):
    # LlamaRotaryEmbedding: inv_freq in fp32, angles = position * inv_freq in fp32, halves duplicated.
    inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
    freqs = positions[:, None].float() * inv_freq[None, :]  # [seq, dim/2]
    emb = torch.cat((freqs, freqs), dim=-1)  # [seq, dim]
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    # [batch, kv_heads, seq, d] -> [batch, kv_heads * n_rep, seq, d]
    b, kvh, s, d = x.shape
    if n_rep == 1:
        return x
    return x[:, :, None, :, :].expand(b, kvh, n_rep, s, d).reshape(b, kvh * n_rep, s, d)


def attention(x, w, p, c, cache, positions):
    b, s, _ = x.shape
    nh, nkv = c['num_attention_heads'], c['num_key_value_heads']
    d = c['hidden_size'] // nh
    q = F.linear(x, w[f'{p}.self_attn.q_proj.weight']).view(b, s, nh, d).transpose(1, 2)
    k = F.linear(x, w[f'{p}.self_attn.k_proj.weight']).view(b, s, nkv, d).transpose(1, 2)
    v = F.linear(x, w[f'{p}.self_attn.v_proj.weight']).view(b, s, nkv, d).transpose(1, 2)
    cos, sin = rotary_cos_sin(positions, d, c['rope_theta'])  # [s, d]
    q = q * cos + rotate_half(q) * sin
    k = k * cos + rotate_half(k) * sin
    if p in cache:  # the cache holds rotated keys, as HF's DynamicCache does
        k = torch.cat((cache[p][0], k), dim=2)
        v = torch.cat((cache[p][1], v), dim=2)
    cache[p] = (k, v)
    k = repeat_kv(k, nh // nkv)
    v = repeat_kv(v, nh // nkv)
    scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(d)  # [b, nh, s, total]
    total = k.shape[2]
    past = total - s
    # Causal mask: query i sits at absolute position past + i and sees keys 0..past + i.
    allowed = torch.arange(total)[None, :] <= (past + torch.arange(s))[:, None]
    mask = torch.zeros(s, total).masked_fill(~allowed, torch.finfo(torch.float32).min)
    scores = scores + mask
    probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
    out = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, nh * d)
    return F.linear(out, w[f'{p}.self_attn.o_proj.weight'])


def forward(ids, w, c, cache):
    """LlamaForCausalLM.forward for one call; `cache` persists keys and values between calls."""
    past = next(iter(cache.values()))[0].shape[2] if cache else 0
    positions = torch.arange(past, past + len(ids))
    x = F.embedding(torch.tensor([ids]), w['model.embed_tokens.weight'])  # [1, s, hidden]
    for i in range(c['num_hidden_layers']):
        p = f'model.layers.{i}'
        x = x + attention(rms_norm(x, w[f'{p}.input_layernorm.weight'], c['rms_norm_eps']), w, p, c, cache, positions)
        h = rms_norm(x, w[f'{p}.post_attention_layernorm.weight'], c['rms_norm_eps'])
        mlp = F.linear(F.silu(F.linear(h, w[f'{p}.mlp.gate_proj.weight'])) * F.linear(h, w[f'{p}.mlp.up_proj.weight']),
                       w[f'{p}.mlp.down_proj.weight'])
        x = x + mlp
    x = rms_norm(x, w['model.norm.weight'], c['rms_norm_eps'])
    return F.linear(x, w['lm_head.weight'])[0]  # [s, vocab]


def greedy(prompt, w, c, max_new, stop_id):
    cache = {}
    logits = forward(prompt, w, c, cache)[-1]
    tokens, margins = [], []
    for n in range(max_new):
        top2 = torch.topk(logits, 2).values
        margins.append(float(top2[0] - top2[1]))
        token = int(torch.argmax(logits))
        tokens.append(token)
        if token == stop_id or n + 1 == max_new:
            break
        logits = forward([token], w, c, cache)[-1]
    return tokens, min(margins)


def f32(t):
    a = np.ascontiguousarray(t.detach().numpy().astype('<f4'))
    return {'shape': list(a.shape), 'float32Base64': base64.b64encode(a.tobytes()).decode()}


def i16(t):
    a = np.ascontiguousarray(torch.round(t / WEIGHT_SCALE).numpy().astype('<i2'))
    return {'shape': list(a.shape), 'int16Base64': base64.b64encode(a.tobytes()).decode(), 'scale': WEIGHT_SCALE}


def lora_case():
    # PEFT's merge: W + (B @ A) * (alpha / r), A [r, in], B [out, r].
    out_dim, in_dim, r, alpha = 6, 5, 2, 16.0
    weight, a, b = torch.randn(out_dim, in_dim), torch.randn(r, in_dim), torch.randn(out_dim, r)
    merged = weight + (b @ a) * (alpha / r)
    return {'weight': f32(weight), 'a': f32(a), 'b': f32(b), 'alpha': alpha, 'merged': f32(merged)}


def main():
    c = CONFIG
    w = make_weights(c)
    prompt_ids = torch.randint(0, c['vocab_size'], (7,)).tolist()
    step_ids = torch.randint(0, c['vocab_size'], (3,)).tolist()
    with torch.no_grad():
        cache = {}
        prefill = forward(prompt_ids, w, c, cache)
        steps = torch.stack([forward([t], w, c, cache)[0] for t in step_ids])
        # The cache must not change the numbers: one call over all 10 tokens agrees.
        full = forward(prompt_ids + step_ids, w, c, {})
        drift = float((torch.cat((prefill, steps)) - full).abs().max())
        assert drift < 1e-5, f'KV cache drift {drift}'
        greedy_prompt = torch.randint(3, c['vocab_size'], (5,)).tolist()
        tokens, margin = greedy(greedy_prompt, w, c, 8, 2)
        assert margin > 1e-3, f'greedy top-2 margin {margin} too small for a stable fixture'
    fixture = {
        'description': 'Tiny random LlamaForCausalLM and PyTorch fp32 logits, written by make_llama_fixture.py',
        'config': c,
        'weights': {name: i16(t) for name, t in w.items()},
        'promptIds': prompt_ids,
        'stepIds': step_ids,
        'prefillLogits': f32(prefill),
        'stepLogits': f32(steps),
        'greedy': {'promptIds': greedy_prompt, 'maxNewTokens': 8, 'stopId': 2, 'tokens': tokens},
        'lora': lora_case(),
    }
    path = os.path.join(HERE, 'fixtures', 'llamaTiny.json')
    with open(path, 'w') as f:
        json.dump(fixture, f, indent=1)
        f.write('\n')
    print(f'wrote {path}: {os.path.getsize(path)} bytes; cache drift {drift:.2e}; greedy {tokens}, margin {margin:.3g}')


if __name__ == '__main__':
    main()

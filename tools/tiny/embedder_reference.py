#!/usr/bin/python3
"""Sentence embeddings of the tiny embedder (tools/tiny/embedder.ts) computed in PyTorch, float64, from its
model.safetensors, config.json and tokenizer.json, without the transformers or tokenizers packages:
BERT's uncased WordPiece tokenization written out here, BertModel's forward pass, mean pooling over the
attention mask, L2 normalisation (sentence-transformers' all-MiniLM-L6-v2 pipeline). Each text is embedded
on its own, so no padding is involved.

Usage: /usr/bin/python3 tools/tiny/embedder_reference.py EMBEDDER_DIR [OUT.json] < texts.json
Prints (or writes) {"texts": [...], "ids": [[...]], "embeddings": [[...]]}.
"""
import json
import math
import struct
import sys
import unicodedata

import numpy as np
import torch


def read_safetensors(path):
    data = open(path, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", name
        begin, end = info["data_offsets"]
        values = np.frombuffer(data[8 + length + begin:8 + length + end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.from_numpy(values.astype(np.float64))
    return tensors


def is_punctuation(ch):
    code = ord(ch)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def basic_tokens(text):
    """BertNormalizer (clean text, lower case, strip accents) and BertPreTokenizer (whitespace, punctuation)."""
    cleaned = []
    for ch in text:
        if ord(ch) == 0 or ord(ch) == 0xFFFD or is_control(ch):
            continue
        cleaned.append(" " if ch.isspace() else ch)
    text = unicodedata.normalize("NFD", "".join(cleaned).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    words = []
    for word in text.split():
        current = ""
        for ch in word:
            if is_punctuation(ch):
                if current:
                    words.append(current)
                words.append(ch)
                current = ""
            else:
                current += ch
        if current:
            words.append(current)
    return words


def wordpiece(word, vocab, unk="[UNK]", max_chars=100):
    if len(word) > max_chars:
        return [vocab[unk]]
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        found = None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in vocab:
                found = piece
                break
            end -= 1
        if found is None:
            return [vocab[unk]]
        pieces.append(vocab[found])
        start = end
    return pieces


def tokenize(text, vocab, max_length):
    ids = [i for word in basic_tokens(text) for i in wordpiece(word, vocab)]
    ids = ids[:max_length - 2]  # truncation keeps room for [CLS] and [SEP]
    return [vocab["[CLS]"]] + ids + [vocab["[SEP]"]]


def layer_norm(x, weight, bias, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), weight, bias, eps)


def embed(ids, w, config):
    hidden, heads, eps = config["hidden_size"], config["num_attention_heads"], config["layer_norm_eps"]
    head_dim = hidden // heads
    ids = torch.tensor(ids)
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: len(ids)]
    x = x + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    linear = lambda v, name: v @ w[name + ".weight"].T + w[name + ".bias"]
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}"
        split = lambda v: v.reshape(len(ids), heads, head_dim).transpose(0, 1)  # [heads, tokens, head_dim]
        q, k, v = (split(linear(x, f"{p}.attention.self.{n}")) for n in ("query", "key", "value"))
        scores = q @ k.transpose(1, 2) / math.sqrt(head_dim)
        context = (torch.softmax(scores, dim=-1) @ v).transpose(0, 1).reshape(len(ids), hidden)
        x = layer_norm(linear(context, f"{p}.attention.output.dense") + x, w[f"{p}.attention.output.LayerNorm.weight"], w[f"{p}.attention.output.LayerNorm.bias"], eps)
        inner = linear(x, f"{p}.intermediate.dense")
        gelu = 0.5 * inner * (1 + torch.erf(inner / math.sqrt(2)))
        x = layer_norm(linear(gelu, f"{p}.output.dense") + x, w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"], eps)
    pooled = x.mean(dim=0)  # every token is attended: mean pooling over the mask is the plain mean
    return pooled / pooled.norm().clamp_min(1e-12)


def main():
    folder = sys.argv[1]
    texts = json.load(sys.stdin)
    config = json.load(open(f"{folder}/config.json"))
    tokenizer = json.load(open(f"{folder}/tokenizer.json"))
    max_length = json.load(open(f"{folder}/tokenizer_config.json"))["model_max_length"]
    vocab = tokenizer["model"]["vocab"]
    weights = read_safetensors(f"{folder}/model.safetensors")
    ids = [tokenize(t, vocab, max_length) for t in texts]
    result = {"texts": texts, "ids": ids, "embeddings": [[float(v) for v in embed(i, weights, config)] for i in ids]}
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
    else:
        json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

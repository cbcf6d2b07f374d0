#!/usr/bin/python3
"""DepictQA's detailed-answer confidence with a real tokenizer and a real (tiny) sentence embedder:
the steps of make_confidence_fixture.detail (upstream cal_confidence_detail), with Vicuna's tokenizer.model
decoded by the sentencepiece library (as the slow LlamaTokenizer decodes: special tokens skipped) and the
embeddings of tools/tiny/embedder_reference.py (PyTorch, float64), handed over as float32 like
SentenceTransformer.encode.

Reads {"tokenizerModel": PATH, "embedder": DIR, "ids": [...], "probabilities": [...]} on stdin (ids: the
generated tokens, no start token); prints {"value", "importance", "order", "text", "deletionTexts"}.
"""
import json
import os
import sys

import numpy as np
import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tiny"))

import embedder_reference  # noqa: E402
from make_confidence_fixture import detail, generated  # noqa: E402

SPECIAL_IDS = (0, 1, 2)


class LlamaDecoder:
    def __init__(self, path):
        self.sp = spm.SentencePieceProcessor(model_file=path)

    def decode(self, ids, skip_special_tokens=False):
        text = self.sp.decode([i for i in ids if i not in SPECIAL_IDS])
        if not skip_special_tokens:  # only upstream's startswith check reads this form
            text += "".join(" </s>" for i in ids if i == 2)
        return text


class TinySentenceModel:
    def __init__(self, folder):
        self.config = json.load(open(f"{folder}/config.json"))
        self.vocab = json.load(open(f"{folder}/tokenizer.json"))["model"]["vocab"]
        self.max_length = json.load(open(f"{folder}/tokenizer_config.json"))["model_max_length"]
        self.weights = embedder_reference.read_safetensors(f"{folder}/model.safetensors")

    def embed_one(self, text):
        ids = embedder_reference.tokenize(text, self.vocab, self.max_length)
        return embedder_reference.embed(ids, self.weights, self.config).numpy().astype(np.float32)

    def encode(self, texts):
        if isinstance(texts, str):
            return self.embed_one(texts)
        return np.stack([self.embed_one(t) for t in texts])


def main():
    request = json.load(sys.stdin)
    tokenizer = LlamaDecoder(request["tokenizerModel"])
    model = TinySentenceModel(request["embedder"])
    ids = request["ids"]
    text = tokenizer.decode(ids, skip_special_tokens=True)
    value, weights, order, texts_del = detail(tokenizer, model, text, *generated(ids, request["probabilities"]))
    json.dump({"value": value, "importance": weights, "order": order, "text": text, "deletionTexts": texts_del}, sys.stdout)


if __name__ == "__main__":
    main()

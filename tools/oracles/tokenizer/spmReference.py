"""Reference answers from the sentencepiece library (Debian's python3-sentencepiece) for the tokenizer tests.

Reads one JSON request on stdin, writes one JSON answer on stdout:
  {"command": "encode", "model": PATH, "texts": [...]}
      -> {"piece_size": N, "bos_id", "eos_id", "unk_id", "ids": [[...], ...]}
         each text encoded on its own, with the model's dummy prefix, as the slow LlamaTokenizer encodes
         the pieces between special tokens.
  {"command": "train", "corpus": PATH, "prefix": PATH, "model_type": "bpe"|"unigram", "vocab_size": N}
      -> {"model": PREFIX.model}
         trains a small model with LLaMA's normaliser settings (identity, dummy prefix, spaces kept,
         byte fallback), so the converter can be checked on a file written by sentencepiece itself.
"""

import json
import sys

import sentencepiece as spm


def encode(request):
    sp = spm.SentencePieceProcessor(model_file=request["model"])
    return {
        "piece_size": sp.get_piece_size(),
        "bos_id": sp.bos_id(),
        "eos_id": sp.eos_id(),
        "unk_id": sp.unk_id(),
        "ids": [sp.encode(text) for text in request["texts"]],
    }


def train(request):
    spm.SentencePieceTrainer.train(
        input=request["corpus"],
        model_prefix=request["prefix"],
        model_type=request["model_type"],
        vocab_size=request["vocab_size"],
        character_coverage=1.0,
        normalization_rule_name="identity",
        add_dummy_prefix=True,
        remove_extra_whitespaces=False,
        allow_whitespace_only_pieces=True,
        split_digits=True,
        byte_fallback=True,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    return {"model": request["prefix"] + ".model"}


def main():
    request = json.load(sys.stdin)
    handlers = {"encode": encode, "train": train}
    json.dump(handlers[request["command"]](request), sys.stdout)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes src/core/confidence/fixtures/upstreamConfidence.json: DepictQA's confidence rules applied to fixed
token ids, probabilities and embeddings, for the TypeScript rules to match.

Each rule below repeats the steps of DepictQA's src/model/utils/confidence.py (commit dd5cc31) in the same
order, on the same kinds of values: ids and probabilities as generate() returns them (the ids begin with the
start token, the probabilities are float32, one per generated token), embeddings as float32 arrays, the cosine
as sentence_transformers.util.cos_sim computes it (torch, float32, each row L2-normalised with eps 1e-12).
The sentence model and the tokenizer are stand-ins: `decode` writes ids as numbers joined by spaces (special
ids 0, 1, 2 skipped on request) and `encode` looks each text up in a table of fixed random embeddings, so that
texts that are equal (deleting either of two equal neighbours) get equal embeddings, as they would for real.

Run: /usr/bin/python3 tools/confidence/make_confidence_fixture.py [OUT.json]
"""
import json
import os
import sys
import zlib

import numpy as np
import torch

START_ID = 1
SHORT_TAIL = " Answer the question using a single word or phrase."
SHORT_MARKERS = ["single word", "one word", "a word", "single phrase", "one phrase", "a phrase"]
TOP_TOKENS = 30


def as_lists(output_id, prob):
    # upstream: [int(_) for _ in output_id.cpu().numpy()], [float(_) for _ in prob.cpu().numpy()]
    return [int(v) for v in output_id.cpu().numpy()], [float(v) for v in prob.cpu().numpy()]


def drop_start_and_padding(output_id, prob):
    output_id = output_id[1:]  # the start token; prob has none
    if 0 in output_id:
        first = output_id.index(0)
        assert output_id[first:] == [0] * (len(output_id) - first)
        output_id, prob = output_id[:first], prob[:first]
    return output_id, prob


def single_brief(output_id, prob):
    output_id, prob = drop_start_and_padding(*as_lists(output_id, prob))
    end = 0
    while True:  # up to the first "\n", "▁", "</s>"
        if output_id[end:end + 3] == [13, 29871, 2] or end >= len(output_id):
            break
        end += 1
    output_id, prob = output_id[:end], prob[:end]
    if 322 in output_id:  # the first "▁and" only
        at = output_id.index(322)
        del output_id[at]
        del prob[at]
    assert len(output_id) == len(prob)
    return sum(prob) / len(prob)


def compare_brief(output_id, prob):
    output_id, prob = drop_start_and_padding(*as_lists(output_id, prob))
    at = 0
    while True:  # the first "▁Image ▁A" / "▁Image ▁B" (upstream loops forever without one; cases here have one)
        if output_id[at:at + 2] in [[7084, 319], [7084, 350]]:
            break
        at += 1
    return prob[at + 1]


class StandInTokenizer:
    def decode(self, ids, skip_special_tokens=False):
        return " ".join(str(i) for i in ids if not (skip_special_tokens and i in (0, 1, 2)))


class StandInSentenceModel:
    def __init__(self, table):
        self.table = table

    def encode(self, texts):
        if isinstance(texts, str):
            return self.table[texts]
        return np.stack([self.table[t] for t in texts])


def cos_sim(a, b):
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    if a.dim() == 1:
        a = a.unsqueeze(0)
    if b.dim() == 1:
        b = b.unsqueeze(0)
    a = torch.nn.functional.normalize(a, p=2, dim=1)
    b = torch.nn.functional.normalize(b, p=2, dim=1)
    return torch.mm(a, b.transpose(0, 1))


def detail(tokenizer, sentence_model, text, output_id, prob):
    embed_answer = sentence_model.encode(text)
    output_id, prob = drop_start_and_padding(*as_lists(output_id, prob))
    assert tokenizer.decode(output_id).startswith(text)
    texts_del = [tokenizer.decode(output_id[:i] + output_id[i + 1:], skip_special_tokens=True) for i in range(len(output_id))]
    embed_del = sentence_model.encode(texts_del)
    weights = [float(w) for w in (1 - cos_sim(embed_answer, embed_del)).squeeze(0).numpy()]
    order = sorted(range(len(weights)), key=lambda i: weights[i], reverse=True)[:TOP_TOKENS]
    prob_sorted = np.array([prob[i] for i in order])
    weight_sorted = np.array(sorted(weights, reverse=True)[:TOP_TOKENS])
    weight_norm = weight_sorted / weight_sorted.sum()
    return float((weight_norm * prob_sorted).sum()), weights, order, texts_del


def brief_or_none(rule, output_id, prob):
    # upstream wraps the brief rules in a bare try/except: any failure is None
    try:
        return rule(output_id, prob)
    except Exception:
        return None


def f32(values):
    return [float(v) for v in np.asarray(values, dtype=np.float32)]


def generated(ids, probs):
    """What generate() hands to the rules: the start token, then the answer; one float32 probability per answer token."""
    return torch.tensor([START_ID] + ids), torch.tensor(probs, dtype=torch.float32)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "src", "core", "confidence", "fixtures", "upstreamConfidence.json")
    rng = np.random.RandomState(2024)

    single_cases = [
        [11462, 13, 29871, 2],  # "noise"
        [11462, 322, 1999, 13, 29871, 2],  # "noise and blur"
        [322, 11462, 322, 1999, 13, 29871, 2],  # two "and": only the first goes
        [6213, 13, 29871, 2, 0, 0],  # padded
        [11462, 1999, 29871, 13],  # no end marker: all kept
        [13, 29871, 2],  # nothing left: None
        [11462, 0, 1999, 2],  # a 0 inside: None
    ]
    compare_cases = [
        [7084, 319, 13, 29871, 2],
        [7084, 350, 13, 29871, 2],
        [1724, 7084, 13, 7084, 350, 338, 2253, 13, 29871, 2, 0],
        [7084, 319, 7084, 350, 2],
    ]
    single, compare = [], []
    for ids in single_cases:
        probs = f32(rng.uniform(0.05, 1.0, len(ids)))
        single.append({"ids": ids, "probabilities": probs, "value": brief_or_none(single_brief, *generated(ids, probs))})
    for ids in compare_cases:
        probs = f32(rng.uniform(0.05, 1.0, len(ids)))
        compare.append({"ids": ids, "probabilities": probs, "value": brief_or_none(compare_brief, *generated(ids, probs))})

    tokenizer = StandInTokenizer()
    details = []
    dim = 16
    for length, repeats in [(45, [(10, 11), (20, 21)]), (12, [])]:
        ids = [int(v) for v in rng.randint(3, 32000, length - 3)] + [13, 29871, 2]
        for a, b in repeats:  # equal neighbours: deleting either gives the same text, so equal importances
            ids[b] = ids[a]
        probs = f32(rng.uniform(0.05, 1.0, length))
        text = tokenizer.decode(ids, skip_special_tokens=True)
        answer = np.asarray(rng.normal(size=dim), dtype=np.float32)
        table = {text: answer}
        deletion_texts = [tokenizer.decode(ids[:i] + ids[i + 1:], skip_special_tokens=True) for i in range(length)]
        for t in deletion_texts:
            if t not in table:
                local = np.random.RandomState(zlib.crc32(t.encode()))
                table[t] = np.asarray(answer + local.uniform(0.05, 0.6) * local.normal(size=dim), dtype=np.float32)
        value, weights, order, texts_del = detail(tokenizer, StandInSentenceModel(table), text, *generated(ids, probs))
        assert texts_del == deletion_texts
        details.append({
            "ids": ids,
            "probabilities": probs,
            "text": text,
            "answerEmbedding": f32(answer),
            "deletionEmbeddings": [f32(table[t]) for t in deletion_texts],
            "importance": weights,
            "order": order,
            "value": value,
        })

    texts = ["Image A", "Image A\n ", " ".join(["word"] * 21), " ".join(["word"] * 21) + "\n ", "a  b", ""]
    words = [{"text": t, "pieces": len(t.split(" ")), "brief": len(t.split(" ")) < 22} for t in texts]
    questions = [
        "Which image is better?",
        "Which image is better?" + SHORT_TAIL,
        "Name the distortion in one word.",
        "Use a phrase.",
        "Answer in a Single Word.",
    ]
    tails = [{"question": q, "reask": None if any(m in q for m in SHORT_MARKERS) else q + SHORT_TAIL} for q in questions]

    fixture = {
        "source": "DepictQA src/model/utils/confidence.py, replayed by tools/confidence/make_confidence_fixture.py",
        "singleBrief": single,
        "compareBrief": compare,
        "detail": details,
        "words": words,
        "reask": tails,
    }
    with open(out, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

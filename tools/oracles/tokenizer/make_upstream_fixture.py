"""Token ids of DepictQA's prompts as upstream makes them: transformers 4.35.0's slow LlamaTokenizer.

DepictQA pins transformers==4.35.0 and loads `LlamaTokenizer.from_pretrained(vicuna_path, use_fast=False)`, so
the `legacy` flag of Vicuna's tokenizer_config.json (false) decides how text after `</s>` is tokenized. This
script rebuilds every text DepictQA tokenizes from its own formulas (src/model/depictqa.py: `fuse_vision_iqa`'s
system chunks through `emb_text`, `tokenize_query`'s last chunk; seps, roles and tags from conversations.py as
prompts.json records them), not from prompts.json's prompt_chunks, so the fixture checks those chunks too.
It tokenizes them with the folder's tokenizer twice: as its config says, and with the other `legacy` value, and
decodes answers with `batch_decode(ids, skip_special_tokens=True)` as DepictQA's `generate` does.

Run by tools/oracles/tokenizer/makeUpstreamFixture.ts, which writes the tiny model's tokenizer folder first:
  python make_upstream_fixture.py TOKENIZER_DIR PROMPTS_JSON  > fixture.json
"""

import json
import sys

import sentencepiece
import transformers
from transformers import LlamaTokenizer

# Typed questions a user may ask, chosen for the tokenizer's edges: spaces, newlines, non-ASCII, special tokens.
ODD_QUESTIONS = [
    "  Two leading spaces: is it sharp?",
    " One leading space.",
    "Trailing spaces   ",
    "Line one\nLine two",
    "\nStarts with a newline",
    "Ends with a newline\n",
    "Tabs\tbetween\twords",
    "Qualité de l’image ? 画质如何？ 😀 ½",
    "A literal </s> in the question",
    "</s>Right after it",
    "Spaces after </s>   three",
    "Other specials <s> and <unk> too",
    "Already \u2581 escaped \u2581piece",
    "Non\u00a0breaking space",
    "Rate it 1-10: 2024, 3.5 or 42?",
    "Is Image A better than Image B?",
    "",
    "   ",
]

# A typed question without the short-answer tail: a brief answer to it is asked again with the tail.
REASK_QUESTION = "Which image is better?"

# Answers as the model writes them (text, then "\n </s>"), and id sequences with odd first tokens.
ANSWERS = [
    "Image A",
    "Image B",
    "Noise and blur",
    "The quality of the evaluated image is quite good without any distortion.",
    " starts with a space",
    "\nstarts with a newline",
    "Qualité 画质 😀",
]
RAW_DECODES = [
    [1, 7084, 319, 13, 29871, 2],  # BOS Image A \n ▁ </s>
    [29871, 7084],  # a lone ▁ first
    [259, 7084],  # ▁▁ first
    [13, 7084],  # a newline byte first
    [35, 7084],  # the space byte <0x20> first
    [29871, 243, 162, 155, 131],  # ▁ + the four bytes of 😀
    [7084, 2, 319],  # EOS in the middle
    [0, 7084],  # <unk>
    [1],
    [],
]


def tags(prompts):
    start, end = prompts["vision_tags"]["start"], prompts["vision_tags"]["end"]
    sov = {"img": start["single"], "ref": start["reference"], "A": start["A"], "B": start["B"]}
    eov = {"img": end["single"], "ref": end["reference"], "A": end["A"], "B": end["B"]}
    return sov, eov


def system_chunks(prompts, compare, reference):
    """fuse_vision_iqa with unique_tag: the texts before and between the images (the query chunk excluded)."""
    sep1, sep2 = prompts["conversation"]["sep"], prompts["conversation"]["sep2"]
    seps = (f" {sep1} ", f" {sep2} ")
    sov, eov = tags(prompts)
    system = prompts["system"]["full_reference" if reference else "no_reference"] + "\n\n"
    if compare and reference:
        return [
            system + seps[1] + "Reference Image: " + sov["ref"],
            eov["ref"] + "\n\n" + seps[1] + "Image A: " + sov["A"],
            eov["A"] + "\n\n" + seps[1] + "Image B: " + sov["B"],
        ]
    if compare:
        return [system + seps[1] + "Image A: " + sov["A"], eov["A"] + "\n\n" + seps[1] + "Image B: " + sov["B"]]
    if reference:
        return [system + seps[1] + "Reference Image: " + sov["ref"], eov["ref"] + "\n\n" + seps[1] + "Image: " + sov["img"]]
    return [system + seps[1] + "Image: " + sov["img"]]


def query_text(prompts, compare, query):
    """tokenize_query's text: the last chunk, after the last image."""
    sep1, sep2 = prompts["conversation"]["sep"], prompts["conversation"]["sep2"]
    seps = (f" {sep1} ", f" {sep2} ")
    roles = prompts["conversation"]["roles"]
    _, eov = tags(prompts)
    eov_final = eov["B"] if compare else eov["img"]
    return f"{eov_final}\n\n{seps[1]}{roles[0]}: {query}\n{seps[0]}{roles[1]}: "


def task_questions(prompts):
    """Every built-in question of the four tasks, as the app asks them (brief ones with the tail)."""
    q, tail = prompts["questions"], prompts["short_answer_tail"]
    out = [{"task": "description", "index": i, "text": t} for i, t in enumerate(q["assessment_reasoning"])]
    out += [{"task": "comparison", "index": i, "text": t + tail} for i, t in enumerate(q["instant_rating_AB"])]
    out += [{"task": "reasoning", "index": i, "text": t} for i, t in enumerate(q["comparison_reasoning"])]
    for reference, name in ((True, "distortion_identification_full_reference"), (False, "distortion_identification_no_reference")):
        for i, forms in enumerate(q[name]):
            for form, text in zip(("open", "one", "two"), forms):
                out.append({"task": "distortion", "index": i, "form": form, "hasReference": reference, "text": text + tail})
    return out


def encode(tokenizer, text):
    return tokenizer(text, add_special_tokens=False).input_ids


def tokenize_all(tokenizer, prompts):
    tail = prompts["short_answer_tail"]
    kinds = {}
    for compare in (True, False):
        for reference in (True, False):
            name = f"{'compare' if compare else 'single'}_{'full' if reference else 'no'}_reference"
            kinds[name] = [{"text": t, "ids": encode(tokenizer, t)} for t in system_chunks(prompts, compare, reference)]
    questions = task_questions(prompts)
    questions += [{"task": "typed", "text": t} for t in ODD_QUESTIONS]
    questions.append({"task": "re-ask", "text": REASK_QUESTION + tail})
    for question in questions:
        # A task's question follows its own images; a typed one is asked after either.
        families = {"comparison": (True,), "reasoning": (True,), "description": (False,), "distortion": (False,)}
        for compare in families.get(question["task"], (True, False)):
            # The ids of the query chunk (its text is query_text's; left out to keep the file small).
            question["compare" if compare else "single"] = encode(tokenizer, query_text(prompts, compare, question["text"]))
    answers = []
    for answer in ANSWERS:
        text = answer + prompts["answer_suffix_in_training"]
        ids = encode(tokenizer, text)
        answers.append({"text": text, "ids": ids, "decoded": tokenizer.batch_decode([ids], skip_special_tokens=True)[0]})
    decodes = [{"ids": ids, "decoded": tokenizer.batch_decode([ids], skip_special_tokens=True)[0]} for ids in RAW_DECODES]
    return {"legacy": tokenizer.legacy, "kinds": kinds, "questions": questions, "answers": answers, "decodes": decodes}


def main():
    tokenizer_dir, prompts_path = sys.argv[1], sys.argv[2]
    with open(prompts_path, encoding="utf-8") as f:
        prompts = json.load(f)
    with open(f"{tokenizer_dir}/tokenizer_config.json", encoding="utf-8") as f:
        configured = json.load(f).get("legacy")
    as_configured = LlamaTokenizer.from_pretrained(tokenizer_dir, use_fast=False)
    other = LlamaTokenizer.from_pretrained(tokenizer_dir, use_fast=False, legacy=not as_configured.legacy)
    fixture = {
        "about": (
            "DepictQA's prompt texts rebuilt from its own formulas, tokenized and decoded by transformers' slow "
            "LlamaTokenizer as DepictQA calls it. Written by tools/oracles/tokenizer/makeUpstreamFixture.ts."
        ),
        "library": {"transformers": transformers.__version__, "sentencepiece": sentencepiece.__version__},
        "configuredLegacy": configured,
        "tokenizers": [tokenize_all(as_configured, prompts), tokenize_all(other, prompts)],
    }
    json.dump(fixture, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

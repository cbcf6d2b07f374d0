"""Loads the tiny checkpoint with transformers 4.35.0 (DepictQA's pin) and saves it again as the library writes
the released files, so that the converter meets transformers' own layouts:
  OUT/llm-bin/          LlamaForCausalLM.save_pretrained(safe_serialization=False): pytorch_model-0000N-of-0000M.bin
                        shards + pytorch_model.bin.index.json (Vicuna's form), and LlamaTokenizer.save_pretrained
  OUT/llm-safetensors/  the same with safe_serialization=True: model-0000N-of-0000M.safetensors + model.safetensors.index.json
  OUT/clip-vision/      CLIPVisionModel.save_pretrained: model.safetensors
  OUT/clip-full/        a CLIPModel (openai/clip-vit-large-patch14's class: text tower, projections, logit_scale) whose
                        vision tower is the tiny one, as model.safetensors
Prints one JSON record: the files of each folder and the library versions.

  python resave_with_transformers.py LLM_DIR CLIP_DIR OUT
"""

import json
import os
import sys

import torch
import transformers
from transformers import CLIPConfig, CLIPModel, CLIPVisionModel, LlamaForCausalLM, LlamaTokenizer

# Small enough that the tiny LLM (two 8 MB fp32 tables, small layers) needs several shards.
SHARD = "4MB"


def main():
    llm_dir, clip_dir, out = sys.argv[1:4]
    torch.manual_seed(0)
    llm = LlamaForCausalLM.from_pretrained(llm_dir)  # fp32, as DepictQA loads it
    tokenizer = LlamaTokenizer.from_pretrained(llm_dir, use_fast=False)
    for name, safe in (("llm-bin", False), ("llm-safetensors", True)):
        llm.save_pretrained(os.path.join(out, name), safe_serialization=safe, max_shard_size=SHARD)
        tokenizer.save_pretrained(os.path.join(out, name))

    vision = CLIPVisionModel.from_pretrained(clip_dir)
    vision.save_pretrained(os.path.join(out, "clip-vision"), safe_serialization=True)

    vision_config = vision.config.to_dict()
    text_config = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1, "num_attention_heads": 2, "vocab_size": 100}
    full = CLIPModel(CLIPConfig(text_config=text_config, vision_config=vision_config, projection_dim=16))
    full.vision_model.load_state_dict(vision.vision_model.state_dict())
    full.save_pretrained(os.path.join(out, "clip-full"), safe_serialization=True)

    files = {name: sorted(os.listdir(os.path.join(out, name))) for name in ("llm-bin", "llm-safetensors", "clip-vision", "clip-full")}
    print(json.dumps({"transformers": transformers.__version__, "torch": torch.__version__, "files": files}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes fixtures/clipTiny.json: a tiny random CLIP vision tower, DepictQA Abstractor and projector, their
inputs and PyTorch's outputs.

The tower follows Hugging Face transformers' CLIPVisionModel (modeling_clip: CLIPVisionEmbeddings, CLIPAttention
with q scaled before the product, CLIPMLP with quick_gelu, pre-LN encoder layers, pre_layrnorm, last_hidden_state
WITHOUT post_layernorm) line by line in plain torch, because transformers is not installed here; position
embeddings are resized as DepictQA's `interpolate_embedding` does (F.interpolate bicubic, align_corners=True,
class position kept), and the class row is dropped as in `forward_patch_features`. The Abstractor is PyTorch's
own nn.TransformerDecoder in eval mode, built as DepictQA's AbstractorModel builds it. The TypeScript references
(clip.ts, clipAbstractor.ts) must reproduce these outputs.

Weights and pixels are multiples of a power of two stored as int16, so they are exact in fp32 and the fixture
stays small. Run: /usr/bin/python3 tools/oracles/make_clip_fixture.py
"""
import base64
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

CONFIG = {
    'hidden_size': 16,
    'intermediate_size': 64,
    'num_attention_heads': 2,
    'num_hidden_layers': 2,
    'patch_size': 14,
    'image_size': 56,  # a 4 x 4 position grid
    'layer_norm_eps': 1e-5,
}
ABSTRACTOR = {'numQueries': 6, 'numLayers': 2, 'numHeads': 2, 'intermediateSize': 32, 'hiddenSize': 16, 'layerNormEps': 1e-5}
PROJECTION_OUT = 24
# (height, width): the trained grid (no resize), then a grid shrunk in height and grown in width, and the reverse.
SIZES = [(56, 56), (42, 70), (70, 28)]
WEIGHT_SCALE = 2.0 ** -14
PIXEL_SCALE = 2.0 ** -12
HERE = os.path.dirname(os.path.abspath(__file__))


def quantized(shape, std, mean=0.0, scale=WEIGHT_SCALE):
    """Random normal values rounded to multiples of `scale` (exact in fp32 and in int16)."""
    w = torch.randn(*shape) * std + mean
    return torch.clamp(torch.round(w / scale), -32768, 32767) * scale


def make_clip_weights(c):
    h, m, p = c['hidden_size'], c['intermediate_size'], c['patch_size']
    grid = c['image_size'] // p
    v = 'vision_model'
    w = {
        f'{v}.embeddings.class_embedding': quantized((h,), 0.5),
        f'{v}.embeddings.patch_embedding.weight': quantized((h, 3, p, p), 0.04),
        f'{v}.embeddings.position_embedding.weight': quantized((1 + grid * grid, h), 0.5),
        # Norm weights away from 1 and biases away from 0, so that a reference that ignores them fails.
        f'{v}.pre_layrnorm.weight': quantized((h,), 0.2, 1.0),
        f'{v}.pre_layrnorm.bias': quantized((h,), 0.1),
    }
    for i in range(c['num_hidden_layers']):
        layer = f'{v}.encoder.layers.{i}'
        for name, std in [('q_proj', 0.3), ('k_proj', 0.3), ('v_proj', 0.3), ('out_proj', 0.2)]:
            w[f'{layer}.self_attn.{name}.weight'] = quantized((h, h), std)
            w[f'{layer}.self_attn.{name}.bias'] = quantized((h,), 0.1)
        for norm in ['layer_norm1', 'layer_norm2']:
            w[f'{layer}.{norm}.weight'] = quantized((h,), 0.2, 1.0)
            w[f'{layer}.{norm}.bias'] = quantized((h,), 0.1)
        w[f'{layer}.mlp.fc1.weight'] = quantized((m, h), 0.25)
        w[f'{layer}.mlp.fc1.bias'] = quantized((m,), 0.1)
        w[f'{layer}.mlp.fc2.weight'] = quantized((h, m), 0.15)
        w[f'{layer}.mlp.fc2.bias'] = quantized((h,), 0.1)
    return w


def make_abstractor_weights(a):
    d, f = a['hiddenSize'], a['intermediateSize']
    w = {}
    for i in range(a['numLayers']):
        layer = f'abstractor.abstractor.layers.{i}'
        for attention in ['self_attn', 'multihead_attn']:
            w[f'{layer}.{attention}.in_proj_weight'] = quantized((3 * d, d), 0.3)
            w[f'{layer}.{attention}.in_proj_bias'] = quantized((3 * d,), 0.1)
            w[f'{layer}.{attention}.out_proj.weight'] = quantized((d, d), 0.2)
            w[f'{layer}.{attention}.out_proj.bias'] = quantized((d,), 0.1)
        w[f'{layer}.linear1.weight'] = quantized((f, d), 0.25)
        w[f'{layer}.linear1.bias'] = quantized((f,), 0.1)
        w[f'{layer}.linear2.weight'] = quantized((d, f), 0.2)
        w[f'{layer}.linear2.bias'] = quantized((d,), 0.1)
        for norm in ['norm1', 'norm2', 'norm3']:
            w[f'{layer}.{norm}.weight'] = quantized((d,), 0.2, 1.0)
            w[f'{layer}.{norm}.bias'] = quantized((d,), 0.1)
    w['abstractor.query_embeds'] = quantized((a['numQueries'], 1, d), 1.0)
    return w


def interpolate_embedding(img_size, patch_size, embedding):
    # DepictQA src/model/clip/model_clip.py, interpolate_embedding
    h, w = img_size
    embedding_token = embedding[:1, :]
    embedding_img = embedding[1:, :]
    n, c = embedding_img.shape
    n_1d = int(math.sqrt(n))
    embedding_img = embedding_img.permute(1, 0).reshape(1, c, n_1d, n_1d)
    embedding_img_new = F.interpolate(embedding_img, size=(h // patch_size, w // patch_size), mode='bicubic', align_corners=True).squeeze(0)
    embedding_img_new = embedding_img_new.reshape(c, -1).permute(1, 0)
    return torch.cat([embedding_token, embedding_img_new], dim=0)


def clip_patch_features(w, c, pixels):
    """pixels [1, 3, H, W] -> [1, N, hidden]: CLIPVisionModel's last_hidden_state without the class row."""
    v = 'vision_model'
    h, heads, eps = c['hidden_size'], c['num_attention_heads'], c['layer_norm_eps']
    d = h // heads
    # CLIPVisionEmbeddings
    patch_embeds = F.conv2d(pixels, w[f'{v}.embeddings.patch_embedding.weight'], stride=c['patch_size'])
    patch_embeds = patch_embeds.flatten(2).transpose(1, 2)
    class_embeds = w[f'{v}.embeddings.class_embedding'].expand(1, 1, -1)
    embeddings = torch.cat([class_embeds, patch_embeds], dim=1)
    positions = w[f'{v}.embeddings.position_embedding.weight']
    size = list(pixels.shape[2:])
    if size != [c['image_size'], c['image_size']]:
        positions = interpolate_embedding(size, c['patch_size'], positions)
    x = embeddings + positions
    # CLIPVisionTransformer: pre_layrnorm, encoder
    x = F.layer_norm(x, (h,), w[f'{v}.pre_layrnorm.weight'], w[f'{v}.pre_layrnorm.bias'], eps)
    bsz, seq, _ = x.shape
    for i in range(c['num_hidden_layers']):
        p = f'{v}.encoder.layers.{i}'
        lin = lambda t, name: F.linear(t, w[f'{p}.{name}.weight'], w[f'{p}.{name}.bias'])
        # CLIPEncoderLayer: residual + self_attn(layer_norm1(x))
        residual = x
        x = F.layer_norm(x, (h,), w[f'{p}.layer_norm1.weight'], w[f'{p}.layer_norm1.bias'], eps)
        q = lin(x, 'self_attn.q_proj') * d ** -0.5
        k = lin(x, 'self_attn.k_proj')
        vv = lin(x, 'self_attn.v_proj')
        shape = lambda t: t.view(bsz, seq, heads, d).transpose(1, 2)
        weights = torch.softmax(shape(q) @ shape(k).transpose(-1, -2), dim=-1)
        attended = (weights @ shape(vv)).transpose(1, 2).reshape(bsz, seq, h)
        x = residual + lin(attended, 'self_attn.out_proj')
        # residual + mlp(layer_norm2(x)), CLIPMLP with quick_gelu
        residual = x
        x = F.layer_norm(x, (h,), w[f'{p}.layer_norm2.weight'], w[f'{p}.layer_norm2.bias'], eps)
        x = lin(x, 'mlp.fc1')
        x = x * torch.sigmoid(1.702 * x)
        x = residual + lin(x, 'mlp.fc2')
    return x[:, 1:, :]


def build_abstractor(a, w):
    # DepictQA src/model/clip/abstractor.py: AbstractorModel.__init__ (dropout is off in eval mode)
    module = nn.Module()
    layer = nn.TransformerDecoderLayer(d_model=a['hiddenSize'], nhead=a['numHeads'], dim_feedforward=a['intermediateSize'], dropout=0.1)
    module.abstractor = nn.TransformerDecoder(layer, num_layers=a['numLayers'])
    module.query_embeds = nn.Parameter(torch.zeros(a['numQueries'], 1, a['hiddenSize']))
    state = {k[len('abstractor.'):]: v for k, v in w.items()}
    module.load_state_dict(state, strict=True)
    return module.eval()


def abstract(module, vision_embs):
    # AbstractorModel.forward with add_pos_emd false
    batch_size = vision_embs.shape[0]
    vision_embs = vision_embs.contiguous().permute(1, 0, 2)
    query_embeds = module.query_embeds.repeat(1, batch_size, 1)
    return module.abstractor(query_embeds, vision_embs).permute(1, 0, 2)


def int16_json(tensor, scale):
    values = torch.round(tensor / scale).to(torch.int16).numpy()
    return {'shape': list(tensor.shape), 'scale': scale, 'int16Base64': base64.b64encode(values.astype('<i2').tobytes()).decode()}


def float32_json(tensor):
    array = tensor.detach().to(torch.float32).numpy().astype('<f4')
    return {'shape': list(array.shape), 'float32Base64': base64.b64encode(array.tobytes()).decode()}


def main():
    clip = make_clip_weights(CONFIG)
    abstractor_weights = make_abstractor_weights(ABSTRACTOR)
    projection = {
        'vision_proj.weight': quantized((PROJECTION_OUT, CONFIG['hidden_size']), 0.25),
        'vision_proj.bias': quantized((PROJECTION_OUT,), 0.1),
    }
    abstractor = build_abstractor(ABSTRACTOR, abstractor_weights)
    cases = []
    with torch.no_grad():
        for height, width in SIZES:
            pixels = quantized((1, 3, height, width), 1.0, scale=PIXEL_SCALE)
            patches = clip_patch_features(clip, CONFIG, pixels)
            queries = abstract(abstractor, patches)
            project = lambda t: F.linear(t, projection['vision_proj.weight'], projection['vision_proj.bias'])
            cases.append({
                'height': height,
                'width': width,
                'pixels': int16_json(pixels[0], PIXEL_SCALE),
                'patchFeatures': float32_json(patches[0]),
                'abstractorOutput': float32_json(queries[0]),
                'projected': float32_json(project(patches)[0]),
                'projectedAbstractor': float32_json(project(queries)[0]),
            })
    weights = {**clip, **abstractor_weights, **projection}
    fixture = {
        'generator': 'tools/oracles/make_clip_fixture.py',
        'torch': torch.__version__,
        'config': CONFIG,
        'abstractor': ABSTRACTOR,
        'weights': {name: int16_json(tensor, WEIGHT_SCALE) for name, tensor in weights.items()},
        'cases': cases,
    }
    path = os.path.join(HERE, 'fixtures', 'clipTiny.json')
    with open(path, 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {path} ({os.path.getsize(path)} bytes)')


if __name__ == '__main__':
    main()

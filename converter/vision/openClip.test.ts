/**
 * `--clip` in the layout Hugging Face ships openai/clip-vit-large-patch14: a full CLIPModel config (vision numbers
 * under vision_config), one model.safetensors with the text model's tensors beside the vision ones and the int64
 * `vision_model.embeddings.position_ids` buffer. Built from the tiny factory's tower by hand-writing the file.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../checkpoint/index.ts';
import { expectAppError } from '../checkpoint/testing/support.ts';
import { makeTinyCheckpoint, type TinyCheckpoint } from '../../tools/tiny/makeTinyCheckpoint.ts';
import { parseClipVisionConfig } from './clipConfig.ts';
import { isTorchScript, openClipVision } from './openClip.ts';

let root: string;
let tiny: TinyCheckpoint;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'open-clip-'));
  tiny = await makeTinyCheckpoint({ out: join(root, 'tiny'), seed: 4 });
}, 60_000);
afterAll(() => rm(root, { recursive: true, force: true }));

/** A safetensors file of raw little-endian tensors, as written by the safetensors library (header padded to 8). */
function safetensors(tensors: Array<{ name: string; dtype: string; shape: number[]; bytes: Uint8Array }>): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const { name, dtype, shape, bytes } of tensors) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.byteLength] };
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, Buffer.from(json), ...tensors.map((t) => Buffer.from(t.bytes))]);
}

describe('openClipVision', () => {
  it("reads the Hugging Face CLIPModel layout: vision_config, text tensors and int64 position_ids ignored", async () => {
    const dir = join(root, 'clip-vit-large-patch14');
    const tower = await openCheckpoint(join(tiny.clipDir, 'model.safetensors'));
    const tensors = [];
    for (const [name, entry] of tower.tensors) tensors.push({ name, dtype: 'F32', shape: entry.shape, bytes: new Uint8Array((await entry.read()).buffer) });
    await tower.close();
    tensors.push(
      { name: 'vision_model.embeddings.position_ids', dtype: 'I64', shape: [1, 257], bytes: new Uint8Array(BigInt64Array.from({ length: 257 }, (_, i) => BigInt(i)).buffer) },
      { name: 'text_model.embeddings.token_embedding.weight', dtype: 'F32', shape: [10, 8], bytes: new Uint8Array(320) },
      { name: 'visual_projection.weight', dtype: 'F32', shape: [8, 64], bytes: new Uint8Array(2048) },
      { name: 'logit_scale', dtype: 'F32', shape: [], bytes: new Uint8Array(4) },
    );
    await mkdir(dir);
    await writeFile(join(dir, 'model.safetensors'), safetensors(tensors));
    const visionConfig = JSON.parse(await readFile(join(tiny.clipDir, 'config.json'), 'utf8'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ architectures: ['CLIPModel'], model_type: 'clip', projection_dim: 8, text_config: { hidden_size: 8 }, vision_config: visionConfig }));

    const clip = await openClipVision(dir);
    try {
      expect(clip.config).toEqual({ hidden_size: 64, intermediate_size: 256, num_attention_heads: 4, num_hidden_layers: 2, patch_size: 14, image_size: 224, layer_norm_eps: 1e-5 });
      expect(clip.checkpoint.skipped?.get('vision_model.embeddings.position_ids')).toBe('I64');
      expect(clip.checkpoint.tensors.has('text_model.embeddings.token_embedding.weight')).toBe(true);
    } finally {
      await clip.checkpoint.close();
    }
    expect(await isTorchScript(join(dir, 'model.safetensors'))).toBe(false);
    expect(await isTorchScript(tiny.deltaPath)).toBe(false);
  });

  it('fills the fields Hugging Face leaves at their defaults, and refuses what CLIP ViT-L/14 is not', async () => {
    const minimal = { hidden_size: 64, intermediate_size: 256, num_attention_heads: 4, num_hidden_layers: 2, patch_size: 14 };
    expect(parseClipVisionConfig(minimal, 'config.json')).toMatchObject({ image_size: 224, layer_norm_eps: 1e-5 });
    expect(() => parseClipVisionConfig({ ...minimal, model_type: 'siglip_vision_model' }, 'config.json')).toThrow(/model_type "siglip_vision_model"/);
    expect(() => parseClipVisionConfig({ ...minimal, num_attention_heads: 5 }, 'config.json')).toThrow(/not a multiple of num_attention_heads 5/);
    expect(() => parseClipVisionConfig({ ...minimal, image_size: 230 }, 'config.json')).toThrow(/image_size 230/);
    await expectAppError(openClipVision(join(root, 'nowhere')), 'FILE_NOT_FOUND', 'nowhere');
    const noConfig = join(root, 'no-config');
    await mkdir(noConfig);
    await copyFile(join(tiny.clipDir, 'model.safetensors'), join(noConfig, 'model.safetensors'));
    await expectAppError(openClipVision(noConfig), 'FILE_NOT_FOUND', 'config.json: missing');
  });
});

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLlamaConfig, llamaNames } from '../../converter/checkpoint/llamaConfig.ts';
import { openCheckpoint } from '../../converter/checkpoint/openCheckpoint.ts';
import { expectAppError, makeTempDir } from '../../converter/checkpoint/testing/support.ts';
import { openFile } from '../../converter/checkpoint/fileAccess.ts';
import { TORCH_ALLOWED_GLOBALS } from '../../converter/checkpoint/torchPickle.ts';
import type { Checkpoint } from '../../converter/checkpoint/types.ts';
import { PyDict, unpickle, type PyGlobal, type PyTuple, type PyValue } from '../../converter/checkpoint/unpickler.ts';
import { readZipDirectory, readZipEntry } from '../../converter/checkpoint/zipReader.ts';
import { parseCliArgs } from './cliArgs.ts';
import { makeTinyCheckpoint, type TinyCheckpoint } from './makeTinyCheckpoint.ts';
import { SHAPES } from './shapes.ts';

let temp: { path: string; remove: () => Promise<void> };
let made: TinyCheckpoint;
beforeAll(async () => {
  temp = await makeTempDir('tiny-checkpoint-test');
  made = await makeTinyCheckpoint({ out: join(temp.path, 'seed7'), seed: 7 });
});
afterAll(() => temp.remove());

async function hashes(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(folder, path)] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return out;
}

function stats(values: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let square = 0;
  for (const v of values) square += (v - mean) ** 2;
  return { mean, std: Math.sqrt(square / values.length) };
}

/** The zip records of a torch.save file, the class of its pickle's root, and where each tensor lies. */
async function torchLayout(path: string) {
  const file = await openFile(path);
  try {
    const entries = await readZipDirectory(file);
    const calls: string[] = [];
    const tensors: Array<{ name: string; key: string; dtype: string; location: string; storageNumel: number; offset: number; shape: number[] }> = [];
    const record = (name: string, build: (args: PyValue[]) => PyValue) => [name, (args: PyValue[]) => (calls.push(name), build(args))] as const;
    const root = unpickle(await readZipEntry(file, entries.get('ckpt/data.pkl')!), {
      file: path,
      allowedGlobals: TORCH_ALLOWED_GLOBALS,
      callables: new Map([
        record('collections.OrderedDict', () => new PyDict()),
        // _rebuild_tensor_v2(('storage', type, key, location, numel), offset, shape, stride, …): kept as its arguments.
        record('torch._utils._rebuild_tensor_v2', (args) => ({ opaque: true, args }) as PyValue),
      ]),
      persistentLoad: (pid) => pid,
    });
    for (const [name, value] of (root as PyDict).map) {
      const [pid, offset, shape] = (value as unknown as { args: [PyTuple, number, PyTuple] }).args;
      const [, type, key, location, numel] = pid.items as [string, PyGlobal, string, string, number];
      const dtype = type.qualifiedName === 'torch.HalfStorage' ? 'F16' : type.qualifiedName;
      tensors.push({ name: String(name), key, dtype, location, storageNumel: numel, offset, shape: shape.items as number[] });
    }
    return { records: [...entries.keys()].sort(), root: calls[0], tensors };
  } finally {
    await file.close();
  }
}

async function withCheckpoint<T>(path: string, body: (checkpoint: Checkpoint) => Promise<T>): Promise<T> {
  const checkpoint = await openCheckpoint(path);
  try {
    return await body(checkpoint);
  } finally {
    await checkpoint.close();
  }
}

describe('makeTinyCheckpoint (tiny shape)', () => {
  const { llm, clip } = SHAPES.tiny;

  it('writes the LLM like Vicuna: config, tokenizer, two fp16 .bin shards with an index', async () => {
    const files = await readdir(made.llmDir);
    expect(files.sort()).toEqual([
      'config.json',
      'pytorch_model-00001-of-00002.bin',
      'pytorch_model-00002-of-00002.bin',
      'pytorch_model.bin.index.json',
      'special_tokens_map.json',
      'tokenizer.model',
      'tokenizer_config.json',
    ]);
    const configPath = join(made.llmDir, 'config.json');
    const config = parseLlamaConfig(JSON.parse(await readFile(configPath, 'utf8')), configPath);
    expect(config).toMatchObject({ hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 192, vocab_size: 32000, rope_theta: 10000 });
    // The marker the converter turns into the manifest's model.randomWeights.
    expect(JSON.parse(await readFile(configPath, 'utf8')).depictqa_random_weights).toBe(true);

    await withCheckpoint(made.llmDir, async (checkpoint) => {
      const expected = new Map<string, number[]>([
        [llamaNames.embedTokens, [llm.vocab, llm.hidden]],
        [llamaNames.finalNorm, [llm.hidden]],
        [llamaNames.lmHead, [llm.vocab, llm.hidden]],
      ]);
      for (let i = 0; i < llm.layers; i++) {
        const n = llamaNames.layer(i);
        for (const name of [n.q, n.k, n.v, n.o]) expected.set(name, [llm.hidden, llm.hidden]);
        expected.set(n.gate, [llm.mlp, llm.hidden]).set(n.up, [llm.mlp, llm.hidden]).set(n.down, [llm.hidden, llm.mlp]);
        expected.set(n.inputNorm, [llm.hidden]).set(n.postNorm, [llm.hidden]);
        expected.set(`model.layers.${i}.self_attn.rotary_emb.inv_freq`, [8]);
      }
      expect(new Set(checkpoint.tensors.keys())).toEqual(new Set(expected.keys()));
      for (const [name, shape] of expected) expect(checkpoint.tensors.get(name), name).toMatchObject({ dtype: 'F16', shape });
      expect(new Set([...checkpoint.tensors.values()].map((t) => t.file)).size).toBe(2);

      const embed = stats(await checkpoint.tensors.get(llamaNames.embedTokens)!.read());
      expect(embed.mean).toBeCloseTo(0, 3);
      expect(embed.std).toBeCloseTo(0.02, 3);
      const norm = stats(await checkpoint.tensors.get(llamaNames.finalNorm)!.read());
      expect(norm.mean).toBeGreaterThan(0.95);
      expect(norm.mean).toBeLessThan(1.05);
      expect(norm.std).toBeGreaterThan(0.05);
      const invFreq = await checkpoint.tensors.get('model.layers.0.self_attn.rotary_emb.inv_freq')!.read();
      expect(invFreq[0]).toBe(1);
      expect(invFreq[1]).toBeCloseTo(10000 ** (-2 / 16), 3);
    });
  });

  it('writes CLIP as a CLIPVisionModel: config and fp32 model.safetensors with Hugging Face names', async () => {
    const config = JSON.parse(await readFile(join(made.clipDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'clip_vision_model', hidden_size: 64, intermediate_size: 256, num_attention_heads: 4, num_hidden_layers: 2, patch_size: 14, image_size: 224, hidden_act: 'quick_gelu', layer_norm_eps: 1e-5, num_channels: 3 });
    await withCheckpoint(join(made.clipDir, 'model.safetensors'), async (checkpoint) => {
      const h = clip.hidden;
      const expected = new Map<string, number[]>([
        ['vision_model.embeddings.class_embedding', [h]],
        ['vision_model.embeddings.patch_embedding.weight', [h, 3, 14, 14]],
        ['vision_model.embeddings.position_embedding.weight', [257, h]],
        ['vision_model.pre_layrnorm.weight', [h]],
        ['vision_model.pre_layrnorm.bias', [h]],
        ['vision_model.post_layernorm.weight', [h]],
        ['vision_model.post_layernorm.bias', [h]],
      ]);
      for (let i = 0; i < clip.layers; i++) {
        const layer = `vision_model.encoder.layers.${i}`;
        for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
          expected.set(`${layer}.self_attn.${proj}.weight`, [h, h]).set(`${layer}.self_attn.${proj}.bias`, [h]);
        }
        for (const norm of ['layer_norm1', 'layer_norm2']) expected.set(`${layer}.${norm}.weight`, [h]).set(`${layer}.${norm}.bias`, [h]);
        expected.set(`${layer}.mlp.fc1.weight`, [clip.mlp, h]).set(`${layer}.mlp.fc1.bias`, [clip.mlp]);
        expected.set(`${layer}.mlp.fc2.weight`, [h, clip.mlp]).set(`${layer}.mlp.fc2.bias`, [h]);
      }
      expect(new Set(checkpoint.tensors.keys())).toEqual(new Set(expected.keys()));
      for (const [name, shape] of expected) expect(checkpoint.tensors.get(name), name).toMatchObject({ dtype: 'F32', shape });
    });
  });

  it("writes DepictQA's ckpt.pt: fp16 projector and non-zero LoRA factors of every attention projection", async () => {
    await withCheckpoint(made.deltaPath, async (checkpoint) => {
      const expected = new Map<string, number[]>([
        ['vision_proj.weight', [llm.hidden, clip.hidden]],
        ['vision_proj.bias', [llm.hidden]],
      ]);
      for (let i = 0; i < llm.layers; i++) {
        for (const proj of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) {
          const name = `llm.base_model.model.model.layers.${i}.self_attn.${proj}`;
          expected.set(`${name}.lora_A.default.weight`, [16, llm.hidden]).set(`${name}.lora_B.default.weight`, [llm.hidden, 16]);
        }
      }
      expect(new Set(checkpoint.tensors.keys())).toEqual(new Set(expected.keys()));
      for (const [name, shape] of expected) expect(checkpoint.tensors.get(name), name).toMatchObject({ dtype: 'F16', shape });
      const b = stats(await checkpoint.tensors.get('llm.base_model.model.model.layers.1.self_attn.v_proj.lora_B.default.weight')!.read());
      expect(b.std).toBeGreaterThan(0.015);
    });
  });

  it('lays ckpt.pt out as DeepSpeed saves it: one flat fp16 storage of offset views, cuda:0, no byteorder, an OrderedDict', async () => {
    const layout = await torchLayout(made.deltaPath);
    expect(layout.records).toEqual(['ckpt/data.pkl', 'ckpt/data/0', 'ckpt/version']);
    expect(layout.root).toBe('collections.OrderedDict');
    expect(new Set(layout.tensors.map((t) => `${t.key} ${t.dtype} ${t.location}`))).toEqual(new Set(['0 F16 cuda:0']));
    // Each view starts where the one before it ends, and together they fill the storage.
    let next = 0;
    for (const tensor of layout.tensors) {
      expect(tensor.offset, tensor.name).toBe(next);
      next += tensor.shape.reduce((a, b) => a * b, 1);
    }
    expect(layout.tensors.every((t) => t.storageNumel === next)).toBe(true);
    expect(layout.tensors.filter((t) => t.offset > 0)).toHaveLength(layout.tensors.length - 1);
  });

  it('with deltaLayout: per-tensor writes one CPU storage per tensor and a byteorder record, the same tensors', async () => {
    const perTensor = await makeTinyCheckpoint({ out: join(temp.path, 'per-tensor'), seed: 7, deltaLayout: 'per-tensor' });
    const layout = await torchLayout(perTensor.deltaPath);
    expect(layout.records).toContain('ckpt/byteorder');
    expect(layout.tensors.map((t) => [t.key, t.offset, t.location])).toEqual(layout.tensors.map((_, i) => [String(i), 0, 'cpu']));
    await withCheckpoint(made.deltaPath, (deepspeed) =>
      withCheckpoint(perTensor.deltaPath, async (plain) => {
        expect([...plain.tensors.keys()]).toEqual([...deepspeed.tensors.keys()]);
        for (const [name, entry] of plain.tensors) expect(await entry.read(), name).toEqual(await deepspeed.tensors.get(name)!.read());
      }),
    );
  });

  it("with abstractor: true adds DepictQA's Abstractor to the delta under nn.TransformerDecoder's names", async () => {
    const withAbstractor = await makeTinyCheckpoint({ out: join(temp.path, 'abstractor'), seed: 7, abstractor: true });
    const { queries, layers, ffn } = SHAPES.tiny.abstractor;
    const d = clip.hidden;
    await withCheckpoint(withAbstractor.deltaPath, (withIt) =>
      withCheckpoint(made.deltaPath, async (without) => {
        const added = [...withIt.tensors.keys()].filter((name) => !without.tensors.has(name));
        expect(added.every((name) => name.startsWith('abstractor.'))).toBe(true);
        expect(added).toHaveLength(layers * 18 + 1);
        const p = 'abstractor.abstractor.layers';
        const shapes: Array<[string, number[]]> = [
          ['abstractor.query_embeds', [queries, 1, d]],
          [`${p}.0.self_attn.in_proj_weight`, [3 * d, d]],
          [`${p}.0.self_attn.in_proj_bias`, [3 * d]],
          [`${p}.${layers - 1}.multihead_attn.out_proj.weight`, [d, d]],
          [`${p}.1.linear1.weight`, [ffn, d]],
          [`${p}.1.linear2.weight`, [d, ffn]],
          [`${p}.2.norm3.bias`, [d]],
        ];
        for (const [name, shape] of shapes) expect(withIt.tensors.get(name), name).toMatchObject({ dtype: 'F16', shape });
        // The LLM part of the delta is unchanged by the option.
        const lora = 'llm.base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight';
        expect(Array.from(await withIt.tensors.get(lora)!.read())).toEqual(Array.from(await without.tensors.get(lora)!.read()));
        const queriesStats = stats(await withIt.tensors.get('abstractor.query_embeds')!.read());
        expect(queriesStats.std).toBeGreaterThan(0.9);
      }),
    );
  });

  it('is deterministic: the same seed gives byte-identical files, another seed different weights', async () => {
    const again = await makeTinyCheckpoint({ out: join(temp.path, 'seed7-again'), seed: 7 });
    const other = await makeTinyCheckpoint({ out: join(temp.path, 'seed8'), seed: 8 });
    const first = await hashes(join(temp.path, 'seed7'));
    expect(await hashes(join(temp.path, 'seed7-again'))).toEqual(first);
    const third = await hashes(join(temp.path, 'seed8'));
    expect(Object.keys(third)).toEqual(Object.keys(first));
    for (const file of [...again.files, ...other.files].map((f) => f.path)) expect(third[file], file).not.toBe(first[file]);
    expect(third['llm/config.json']).toBe(first['llm/config.json']);
  });

  it('writes sharded safetensors with --llm-format safetensors, holding the same values as the .bin shards', async () => {
    const st = await makeTinyCheckpoint({ out: join(temp.path, 'st'), seed: 7, llmFormat: 'safetensors' });
    expect((await readdir(st.llmDir)).filter((f) => f.includes('safetensors')).sort()).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      'model.safetensors.index.json',
    ]);
    await withCheckpoint(st.llmDir, (fromSafetensors) =>
      withCheckpoint(made.llmDir, async (fromBin) => {
        expect(fromSafetensors.tensors.has('model.layers.0.self_attn.rotary_emb.inv_freq')).toBe(false);
        for (const name of [llamaNames.lmHead, llamaNames.layer(1).down]) {
          const [a, b] = [await fromSafetensors.tensors.get(name)!.read(), await fromBin.tensors.get(name)!.read()];
          // Compare bytes: a deep equality over 2M elements is slow.
          expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer)), name).toBe(true);
        }
      }),
    );
  });

  it('refuses a non-empty output folder and a bad seed', async () => {
    await expectAppError(makeTinyCheckpoint({ out: join(temp.path, 'seed7') }), 'OUTPUT_NOT_EMPTY', join(temp.path, 'seed7'));
    await expectAppError(makeTinyCheckpoint({ out: join(temp.path, 'x'), seed: -1 }), 'BAD_ARGUMENTS', 'seed -1');
  });
});

describe('tiny CLI arguments', () => {
  it('parses the options with defaults', () => {
    expect(parseCliArgs(['--out', 'o'])).toEqual({ out: 'o', seed: 0, shape: 'tiny', llmFormat: 'bin', deltaLayout: 'deepspeed' });
    expect(parseCliArgs(['--out', 'o', '--seed', '42', '--shape', 'llama-7b', '--llm-format', 'safetensors', '--delta-layout', 'per-tensor'])).toEqual({
      out: 'o',
      seed: 42,
      shape: 'llama-7b',
      llmFormat: 'safetensors',
      deltaLayout: 'per-tensor',
    });
    expect(parseCliArgs(['--out', 'o', '--abstractor'])).toMatchObject({ out: 'o', abstractor: true });
    expect(parseCliArgs(['--help'])).toBe('help');
  });

  it.each([
    [[], '--out is required: give --out DIR'],
    [['--out', 'o', '--shape', 'huge'], '--shape must be one of tiny, llama-7b, not "huge"'],
    [['--out', 'o', '--llm-format', 'gguf'], '--llm-format must be one of bin, safetensors, not "gguf"'],
    [['--out', 'o', '--delta-layout', 'zero3'], '--delta-layout must be one of deepspeed, per-tensor, not "zero3"'],
    [['--out', 'o', '--seed', '1.5'], '--seed must be a whole number ≥ 0, not "1.5"'],
    [['--out', 'o', '--what'], 'what'],
  ])('refuses %j', async (args, mention) => {
    await expectAppError(Promise.resolve().then(() => parseCliArgs(args)), 'BAD_ARGUMENTS', mention);
  });
});

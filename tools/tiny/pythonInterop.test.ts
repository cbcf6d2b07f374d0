import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../../converter/checkpoint/openCheckpoint.ts';
import { detectTorchPython, makeTempDir, runPythonJson } from '../../converter/checkpoint/testing/support.ts';
import { makeTinyCheckpoint, type TinyCheckpoint } from './makeTinyCheckpoint.ts';
import { SHAPES } from './shapes.ts';

const torch = detectTorchPython();
if (torch.skipReason) console.warn(`Skipping the tiny checkpoint's PyTorch check: ${torch.skipReason}`);

// For each file: every tensor's dtype, shape and the sha256 of its values as little-endian float32. PyTorch files go
// through torch.load; safetensors files are parsed by hand (8-byte length, JSON header, raw data) with numpy, so the
// check does not depend on the safetensors package.
const DESCRIBE_SCRIPT = `
import hashlib, json, struct, sys
import numpy as np, torch

def digest(array):
    return hashlib.sha256(np.ascontiguousarray(array, dtype="<f4").tobytes()).hexdigest()

def torch_file(path):
    names = {torch.float16: "F16", torch.float32: "F32", torch.bfloat16: "BF16"}
    return {k: {"dtype": names[v.dtype], "shape": list(v.shape), "sha256": digest(v.float().numpy())}
            for k, v in torch.load(path, map_location="cpu").items()}

def safetensors_file(path):
    data = open(path, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        raw = data[8 + length + begin:8 + length + end]
        if info["dtype"] == "F32":
            values = np.frombuffer(raw, dtype="<f4")
        elif info["dtype"] == "F16":
            values = np.frombuffer(raw, dtype="<f2").astype("<f4")
        else:
            values = (np.frombuffer(raw, dtype="<u2").astype("<u4") << 16).view("<f4")
        out[name] = {"dtype": info["dtype"], "shape": info["shape"], "sha256": digest(values)}
    return out

print(json.dumps({path: (safetensors_file if path.endswith(".safetensors") else torch_file)(path) for path in sys.argv[1:]}))
`;

type Described = Record<string, Record<string, { dtype: string; shape: number[]; sha256: string }>>;

let temp: { path: string; remove: () => Promise<void> };
let bin: TinyCheckpoint;
let safetensors: TinyCheckpoint;
beforeAll(async () => {
  temp = await makeTempDir('tiny-python-test');
  bin = await makeTinyCheckpoint({ out: join(temp.path, 'bin'), seed: 11 });
  safetensors = await makeTinyCheckpoint({ out: join(temp.path, 'st'), seed: 11, llmFormat: 'safetensors' });
});
afterAll(() => temp.remove());

async function describeWithReader(path: string): Promise<Described[string]> {
  const checkpoint = await openCheckpoint(path);
  const out: Described[string] = {};
  for (const [name, entry] of checkpoint.tensors) {
    const values = await entry.read();
    out[name] = { dtype: entry.dtype, shape: entry.shape, sha256: createHash('sha256').update(new Uint8Array(values.buffer)).digest('hex') };
  }
  await checkpoint.close();
  return out;
}

describe.skipIf(!torch.python)("the tiny checkpoint's files in PyTorch and numpy", () => {
  it('torch.load and a hand parse of safetensors see exactly the tensors and values the readers return', async () => {
    const weightFiles = async (dir: string, pattern: RegExp) => (await readdir(dir)).filter((f) => pattern.test(f)).sort().map((f) => join(dir, f));
    const paths = [
      ...(await weightFiles(bin.llmDir, /\.bin$/)),
      bin.deltaPath,
      join(bin.clipDir, 'model.safetensors'),
      ...(await weightFiles(safetensors.llmDir, /\.safetensors$/)),
    ];
    expect(paths).toHaveLength(6);
    const python = runPythonJson(torch.python as string, DESCRIBE_SCRIPT, paths) as Described;
    for (const path of paths) {
      const ours = await describeWithReader(path);
      expect(Object.keys(ours).length, path).toBeGreaterThan(0);
      expect(ours, path).toEqual(python[path]);
    }
  }, 60_000);

  it('torch.load sees the delta as DeepSpeed saves it: every tensor a view into one fp16 storage, at growing offsets', () => {
    const result = runPythonJson(torch.python as string, SHARED_STORAGE_SCRIPT, [bin.deltaPath]) as { storages: number; dtypes: string[]; offsets: number[]; numel: number; total: number };
    expect(result.storages).toBe(1);
    expect(result.dtypes).toEqual(['torch.float16']);
    expect(result.offsets[0]).toBe(0);
    expect(result.offsets.slice(1).every((offset, i) => offset > result.offsets[i]!)).toBe(true);
    expect(result.numel).toBe(result.total);
  });

  it("the Abstractor's keys load strictly into PyTorch's nn.TransformerDecoder as DepictQA builds it", async () => {
    const made = await makeTinyCheckpoint({ out: join(temp.path, 'abstractor'), seed: 3, abstractor: true });
    const { queries, layers, heads, ffn } = SHAPES.tiny.abstractor;
    const result = runPythonJson(torch.python as string, ABSTRACTOR_SCRIPT, [made.deltaPath, String(SHAPES.tiny.clip.hidden), String(heads), String(ffn), String(layers)]);
    expect(result).toEqual({ missing: [], unexpected: [], queries: [queries, 1, SHAPES.tiny.clip.hidden] });
  }, 60_000);
});

// DepictQA's AbstractorModel (src/model/clip/abstractor.py): nn.TransformerDecoder(layer, num_layers) as
// `abstractor` and `query_embeds` [num_query, 1, d]; the delta's `abstractor.*` keys are its state dict.
const ABSTRACTOR_SCRIPT = `
import json, sys
import torch, torch.nn as nn
path, d, heads, ffn, layers = sys.argv[1], *map(int, sys.argv[2:])
state = torch.load(path, map_location="cpu")
sub = {k[len("abstractor."):]: v for k, v in state.items() if k.startswith("abstractor.")}
module = nn.Module()
module.abstractor = nn.TransformerDecoder(nn.TransformerDecoderLayer(d_model=d, nhead=heads, dim_feedforward=ffn, dropout=0.1), num_layers=layers)
module.query_embeds = nn.Parameter(torch.zeros(sub["query_embeds"].shape))
result = module.load_state_dict({k: v.float() for k, v in sub.items()}, strict=False)
print(json.dumps({"missing": result.missing_keys, "unexpected": result.unexpected_keys, "queries": list(sub["query_embeds"].shape)}))
`;

// How the delta's tensors share storage once loaded (map_location="cpu", as a machine without CUDA must).
const SHARED_STORAGE_SCRIPT = `
import json, sys
import torch
state = torch.load(sys.argv[1], map_location="cpu")
values = list(state.values())
storages = {v.storage().data_ptr() for v in values}
print(json.dumps({"storages": len(storages), "dtypes": sorted({str(v.dtype) for v in values}),
                  "offsets": [v.storage_offset() for v in values], "numel": values[0].storage().size(),
                  "total": sum(v.numel() for v in values)}))
`;

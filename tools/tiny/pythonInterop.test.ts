import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from '../checkpoint/openCheckpoint.ts';
import { detectTorchPython, makeTempDir, runPythonJson } from '../checkpoint/testSupport.ts';
import { makeTinyCheckpoint, type TinyCheckpoint } from './makeTinyCheckpoint.ts';

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
});

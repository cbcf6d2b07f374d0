import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInto, encodeFloat32 } from './dtypes.ts';
import { openFile } from './fileAccess.ts';
import { denseSource } from './tensorSource.ts';
import { detectTorchPython, makeTempDir, runPythonJson } from './testing/support.ts';
import { writeTorchZip } from './torchWriter.ts';
import type { DType } from './types.ts';
import { readZipDirectory, readZipEntry } from './zipReader.ts';

const torch = detectTorchPython();
if (torch.skipReason) console.warn(`Skipping the PyTorch interop tests: ${torch.skipReason}`);

// Loads a checkpoint with real torch.load, checks every zip CRC, and re-saves the state dict with torch.save so that
// the test can compare the pickle byte for byte.
const LOAD_SCRIPT = `
import io, json, sys, zipfile, torch
names = {torch.float16: "F16", torch.float32: "F32", torch.bfloat16: "BF16"}
results = []
for path in sys.argv[1:]:
    bad = zipfile.ZipFile(path).testzip()
    sd = torch.load(path, map_location="cpu")
    out = {"type": type(sd).__name__, "bad_member": bad, "tensors": {}}
    for name, t in sd.items():
        out["tensors"][name] = {"dtype": names[t.dtype], "shape": list(t.shape), "values": t.float().flatten().tolist()}
    buffer = io.BytesIO()
    torch.save(sd, buffer)
    with zipfile.ZipFile(buffer) as z:
        out["resaved_pickle"] = z.read([n for n in z.namelist() if n.endswith("/data.pkl")][0]).hex()
    results.append(out)
print(json.dumps(results))
`;

interface Loaded {
  type: string;
  bad_member: string | null;
  tensors: Record<string, { dtype: DType; shape: number[]; values: number[] }>;
  resaved_pickle: string;
}

const tensors = [
  { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'F16' as const, shape: [8, 8] },
  { name: 'model.norm.weight', dtype: 'F32' as const, shape: [8] },
  { name: 'vision_proj.bias', dtype: 'BF16' as const, shape: [5] },
  { name: 'vision_model.embeddings.patch_embedding.weight', dtype: 'F16' as const, shape: [2, 3, 14, 14] },
  { name: 'scalar', dtype: 'F32' as const, shape: [] },
].map((spec, k) => ({ ...spec, data: Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.7 + k) * 3) }));

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await makeTempDir('torch-interop-test');
});
afterAll(() => dir.remove());

describe.skipIf(!torch.python)('files from the PyTorch zip writer in real PyTorch', () => {
  it('torch.load reads every value, CRCs hold, and the pickle matches torch.save byte for byte (with and without forced ZIP64)', async () => {
    const paths = [join(dir.path, 'interop.bin'), join(dir.path, 'interop-zip64.bin')];
    await writeTorchZip(paths[0]!, tensors.map((t) => denseSource(t.name, t)));
    await writeTorchZip(paths[1]!, tensors.map((t) => denseSource(t.name, t)), { forceZip64: true });
    const results = runPythonJson(torch.python as string, LOAD_SCRIPT, paths) as Loaded[];
    for (const [index, loaded] of results.entries()) {
      expect(loaded.bad_member).toBeNull();
      expect(loaded.type).toBe('OrderedDict');
      expect(Object.keys(loaded.tensors)).toEqual(tensors.map((t) => t.name));
      for (const t of tensors) {
        const want = new Float32Array(t.data.length);
        decodeInto(t.dtype, encodeFloat32(t.dtype, t.data), t.data.length, want, 0);
        const got = loaded.tensors[t.name]!;
        expect(got.dtype).toBe(t.dtype);
        expect(got.shape).toEqual(t.shape);
        expect(got.values).toEqual([...want]);
      }
      const file = await openFile(paths[index]!);
      const entries = await readZipDirectory(file);
      const ours = await readZipEntry(file, [...entries.values()].find((e) => e.name.endsWith('/data.pkl'))!);
      await file.close();
      expect(ours.toString('hex')).toBe(loaded.resaved_pickle);
    }
  }, 60_000);
});

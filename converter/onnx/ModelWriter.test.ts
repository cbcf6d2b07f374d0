import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { attr, GraphBuilder } from './GraphBuilder.ts';
import { ModelWriter } from './ModelWriter.ts';
import { onnx } from './onnxProto.ts';
import { nodeOrt, openWrittenGraph } from '../../cli/host/ortNode.ts';

let dir: string;
beforeAll(() => nodeOrt(), 60_000);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'model-writer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const opsets = [
  { domain: '', version: 17 },
  { domain: 'com.microsoft', version: 1 },
];

/** y = SkipSimplifiedLayerNorm(x · W + bias, skip x, gamma) with W and gamma external (two chunks), bias inline. */
async function writeSmallModel(): Promise<{ w: Float32Array; written: Awaited<ReturnType<ModelWriter['finish']>> }> {
  const writer = new ModelWriter(dir, 'small.onnx', 'small', { chunkLimitBytes: 64, alignmentBytes: 16 });
  const g = writer.graph;
  g.input('x', 'float32', ['batch_size', 'sequence_length', 4]);
  const w = Float32Array.from({ length: 16 }, (_, i) => (i % 5) - 2); // [4, 4]: 64 bytes, one chunk of its own
  await writer.weight('w', 'float32', [4, 4], w);
  await writer.weight('gamma', 'float32', [4], new Float32Array([1, 2, 3, 4]));
  writer.constant('bias', 'float32', [4], new Float32Array([0.5, 0.5, 0.5, 0.5]));
  g.node('MatMul', ['x', 'w'], ['xw']);
  g.node('Add', ['xw', 'bias'], ['xwb']);
  g.node('SkipSimplifiedLayerNormalization', ['xwb', 'x', 'gamma'], ['y'], { domain: 'com.microsoft', attributes: { epsilon: attr.float(1e-6) } });
  g.output('y', 'float32', ['batch_size', 'sequence_length', 4]);
  return { w, written: await writer.finish({ opsets }) };
}

describe('ModelWriter', () => {
  it('writes external initializers across chunks that onnxruntime-web loads and runs', async () => {
    const { w, written } = await writeSmallModel();
    expect(written.data.map((file) => file.name)).toEqual(['small.onnx_data', 'small.onnx_data_1']);
    expect(written.data.map((file) => file.bytes)).toEqual([64, 16]);
    expect(written.inputs).toEqual([{ name: 'x', type: 'float32', shape: ['batch_size', 'sequence_length', 4] }]);

    const ort = await nodeOrt();
    const session = await openWrittenGraph(dir, written);
    const x = new Float32Array([1, 0, -1, 2, 0.5, 0.25, 0, -3]); // [1, 2, 4]
    const y = (await session.run({ x: new ort.Tensor('float32', x, [1, 2, 4]) })).y!.data as Float32Array;
    for (let row = 0; row < 2; row++) {
      const sum = [0, 1, 2, 3].map((j) => x[row * 4 + j]! + 0.5 + [0, 1, 2, 3].reduce((acc, t) => acc + x[row * 4 + t]! * w[t * 4 + j]!, 0));
      const rms = Math.sqrt(sum.reduce((acc, v) => acc + v * v, 0) / 4 + 1e-6);
      sum.forEach((v, j) => expect(y[row * 4 + j]).toBeCloseTo((v / rms) * (j + 1), 5));
    }
  });

  it('records EXTERNAL location, offset and length, and keeps small constants inline', async () => {
    const { written } = await writeSmallModel();
    const model = onnx.ModelProto.decode(await readFile(join(dir, written.model.name)));
    const byName = new Map(model.graph!.initializer!.map((t) => [t.name, t]));
    const external = (name: string) => Object.fromEntries(byName.get(name)!.externalData!.map((e) => [e.key, e.value]));
    expect(byName.get('w')!.dataLocation).toBe(onnx.TensorProto.DataLocation.EXTERNAL);
    expect(external('w')).toEqual({ location: 'small.onnx_data', offset: '0', length: '64' });
    expect(external('gamma')).toEqual({ location: 'small.onnx_data_1', offset: '0', length: '16' });
    expect(byName.get('bias')!.rawData!.length).toBe(16);
    expect(model.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', 17],
      ['com.microsoft', 1],
    ]);
  });

  it('rejects a name defined twice and data of the wrong size', () => {
    const g = new GraphBuilder('bad');
    g.input('x', 'float32', [1]);
    expect(() => g.initializer('x', 'float32', [1], new Float32Array(1))).toThrow(AppError);
    expect(() => g.initializer('y', 'float32', [2], new Float32Array(1))).toThrow(/4 bytes for float32 \[2\] \(expected 8\)/);
  });
});

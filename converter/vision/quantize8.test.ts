import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelWriter } from '../onnx/ModelWriter.ts';
import { nodeOrt, openWrittenGraph } from '../../cli/host/ortNode.ts';
import { linear } from '../../tools/oracles/referenceMath.ts';
import { gaussianMatrix, relativeMaxError } from '../../tools/testing/errorMetrics.ts';
import { dequantizeMatMulNBits8, quantizeMatMulNBits8 } from './quantize8.ts';
import { addVisionLinear, effectiveWeight, type VisionPrecision } from './visionLinear.ts';

let dir: string;
beforeAll(async () => {
  await nodeOrt();
  dir = await mkdtemp(join(tmpdir(), 'quantize8-'));
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('8-bit MatMulNBits quantization', () => {
  it('rounds each value to within half a step of its block, keeps zeros exact, and handles a ragged last block', () => {
    const [n, k] = [6, 70]; // 70 = two full blocks of 32 and a tail of 6
    const weight = gaussianMatrix(n * k, 3);
    weight[5] = 0;
    weight.fill(0.25, k, 2 * k); // a row of one positive value: its block range still contains 0
    const quantized = quantizeMatMulNBits8(weight, n, k);
    expect(quantized.packed.length).toBe(n * 3 * 32);
    const back = dequantizeMatMulNBits8(quantized);
    for (let i = 0; i < weight.length; i++) {
      const scale = quantized.scales[Math.floor(i / k) * 3 + Math.floor((i % k) / 32)]!;
      expect(Math.abs(back[i]! - weight[i]!)).toBeLessThanOrEqual(scale / 2 + 1e-7);
    }
    expect(back[5]).toBe(0);
    expect(relativeMaxError(weight.subarray(k, 2 * k), back.subarray(k, 2 * k))).toBeLessThan(0.01);
  });

  it.each<[string, VisionPrecision]>([
    ['int8, fp32 scales', { activation: 'float32', weights: 'int8' }],
    ['int4, fp32 scales', { activation: 'float32', weights: 'int4' }],
  ])("onnxruntime's MatMulNBits computes with exactly the dequantized weights (%s, K = 70)", async (label, precision) => {
    const [n, k, rows] = [24, 70, 5];
    const weight = gaussianMatrix(n * k, 4);
    const bias = gaussianMatrix(n, 5);
    const writer = new ModelWriter(dir, `linear_${precision.weights}.onnx`, 'linear');
    writer.graph.input('x', 'float32', [1, rows, k]);
    await addVisionLinear(writer, precision, { name: 'fc', input: 'x', output: 'y', parts: [weight.subarray(0, 10 * k), weight.subarray(10 * k)], biases: [bias.subarray(0, 10), bias.subarray(10)], k });
    writer.graph.output('y', 'float32', [1, rows, n]);
    const graph = await writer.finish({ opsets: [{ domain: '', version: 18 }, { domain: 'com.microsoft', version: 1 }] });
    const ort = await nodeOrt();
    const session = await openWrittenGraph(dir, graph);
    const x = gaussianMatrix(rows * k, 6);
    const { y } = await session.run({ x: new ort.Tensor('float32', x, [1, rows, k]) });
    const expected = linear(x, effectiveWeight(weight, n, k, precision), rows, k, n).map((value, i) => value + bias[i % n]!);
    expect(relativeMaxError(expected, y!.data as Float32Array), label).toBeLessThan(1e-6);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { fromFloat16Bits, toFloat16Bits } from './onnx/float16.ts';
import { attr, GraphBuilder } from './onnx/GraphBuilder.ts';
import { nodeOrt } from '../cli/host/ortNode.ts';
import { dequantizeMatMulNBits, quantizeMatMulNBits, type QuantizedWeight } from './quantize.ts';
import { gaussianMatrix, relativeRmsError } from '../tools/testing/errorMetrics.ts';

function bytes(...values: number[]): number[] {
  return values;
}

describe('quantizeMatMulNBits layout (hand-computed, K = 32, N = 2)', () => {
  it('symmetric: largest magnitude maps to −8, low nibble first, no zero points', () => {
    const w = new Float32Array(64);
    for (let j = 0; j < 16; j++) w[j] = j - 8; // row 0: −8 … 7, then zeros → scale 1, q = j
    w[32] = 4; // row 1: [4, −2, 0, …] → extreme 4, scale 4 / −8 = −0.5, q = 0, 12, 8, …
    w[33] = -2;
    const q = quantizeMatMulNBits(w, 2, 32, { symmetric: true });
    expect(q.zeroPoints).toBeUndefined();
    expect([...q.scales]).toEqual([1, -0.5]);
    expect([...q.packed.subarray(0, 16)]).toEqual(bytes(0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe, ...Array(8).fill(0x88)));
    expect([...q.packed.subarray(16)]).toEqual(bytes(0xc0, ...Array(15).fill(0x88)));
    expect(Array.from(dequantizeMatMulNBits(q), (x) => x + 0)).toEqual([...w]); // + 0: −0 (negative scale) is 0
  });

  it('asymmetric: min/max range with 0 in it, zero points packed like B', () => {
    const w = new Float32Array(64);
    w[0] = -1; // row 0: [−1, 2, 0, …] → scale 0.2, zero point 5, q = 0, 15, 5, …
    w[1] = 2;
    const q = quantizeMatMulNBits(w, 2, 32); // row 1: all zeros → scale 0, zero point 8
    expect([...q.scales]).toEqual([Math.fround(0.2), 0]);
    expect([...q.zeroPoints!]).toEqual([0x05, 0x08]);
    expect([...q.packed.subarray(0, 16)]).toEqual(bytes(0xf0, ...Array(15).fill(0x55)));
    expect([...q.packed.subarray(16)]).toEqual(Array(16).fill(0x88));
  });

  it('packs two blocks per zero-point byte, the first block in the low nibble', () => {
    const w = new Float32Array(64);
    w[0] = -1; // block 0: [−1, 2, 0, …] → zero point 5 (as above)
    w[1] = 2;
    w[32] = 3; // block 1: range [0, 3] → zero point 0
    const q = quantizeMatMulNBits(w, 1, 64);
    expect(q.blocks).toBe(2);
    expect([...q.zeroPoints!]).toEqual([0x05]);
  });
});

describe('quantizeMatMulNBits error bounds', () => {
  const [n, k] = [64, 256];
  const w = gaussianMatrix(n * k, 3);

  function maxErrorInScales(q: QuantizedWeight): number {
    const deq = dequantizeMatMulNBits(q);
    let worst = 0;
    for (let i = 0; i < w.length; i++) {
      const scale = Math.abs(q.scales[Math.floor(i / k) * q.blocks + Math.floor((i % k) / 32)]!);
      worst = Math.max(worst, Math.abs(w[i]! - deq[i]!) / scale);
    }
    return worst;
  }

  it('asymmetric: every value within half a step; relative RMS error ≈ 0.08', () => {
    const q = quantizeMatMulNBits(w, n, k);
    expect(maxErrorInScales(q)).toBeLessThanOrEqual(0.5 + 1e-5);
    expect(relativeRmsError(w, dequantizeMatMulNBits(q))).toBeLessThan(0.09);
  });

  it('symmetric: within one step (the side opposite the extreme stops at +7); relative RMS error ≈ 0.086', () => {
    const q = quantizeMatMulNBits(w, n, k, { symmetric: true });
    expect(maxErrorInScales(q)).toBeLessThanOrEqual(1 + 1e-5);
    expect(relativeRmsError(w, dequantizeMatMulNBits(q))).toBeLessThan(0.095);
  });

  it('fp16 scales are fp16 values and cost no accuracy', () => {
    const q = quantizeMatMulNBits(w, n, k, { scaleType: 'float16' });
    expect([...fromFloat16Bits(toFloat16Bits(q.scales))]).toEqual([...q.scales]);
    expect(relativeRmsError(w, dequantizeMatMulNBits(q))).toBeLessThan(0.09);
  });
});

describe("onnxruntime's MatMulNBits computes A · dequantize(B)ᵀ", () => {
  beforeAll(() => nodeOrt(), 60_000);
  // K = 80: a partial last block (onnxruntime pads it) and an odd block count (a half-filled zero-point byte).
  const [m, k, n] = [3, 80, 5];
  const a = gaussianMatrix(m * k, 4);
  const w = gaussianMatrix(n * k, 5);

  async function run(q: QuantizedWeight, fp16: boolean): Promise<Float32Array> {
    const ort = await nodeOrt();
    const type = fp16 ? 'float16' : 'float32';
    const g = new GraphBuilder('matmul_nbits');
    g.input('a', type, ['m', k]);
    g.initializer('b', 'uint8', [n, q.blocks, 16], q.packed);
    g.initializer('scales', type, [n, q.blocks], fp16 ? toFloat16Bits(q.scales) : q.scales);
    const inputs = ['a', 'b', 'scales'];
    if (q.zeroPoints) inputs.push(g.initializer('zero_points', 'uint8', [n, Math.ceil(q.blocks / 2)], q.zeroPoints));
    g.node('MatMulNBits', inputs, ['y'], {
      domain: 'com.microsoft',
      attributes: { K: attr.int(k), N: attr.int(n), bits: attr.int(4), block_size: attr.int(32) },
    });
    g.output('y', type, ['m', n]);
    const opsets = [
      { domain: '', version: 17 },
      { domain: 'com.microsoft', version: 1 },
    ];
    const session = await ort.InferenceSession.create(g.toBytes({ opsets }), { executionProviders: ['wasm'] });
    const input = fp16 ? new ort.Tensor('float16', toFloat16Bits(a), [m, k]) : new ort.Tensor('float32', a, [m, k]);
    const y = (await session.run({ a: input })).y!;
    return fp16 ? fromFloat16Bits(y.data as Uint16Array) : (y.data as Float32Array);
  }

  function expected(q: QuantizedWeight, aValues: Float32Array): Float64Array {
    const deq = dequantizeMatMulNBits(q);
    const out = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) out[i * n + j]! += aValues[i * k + t]! * deq[j * k + t]!;
    return out;
  }

  for (const symmetric of [false, true]) {
    it(`${symmetric ? 'symmetric' : 'asymmetric'}, fp32 activations: to 1e-5`, async () => {
      const q = quantizeMatMulNBits(w, n, k, { symmetric });
      const y = await run(q, false);
      const want = expected(q, a);
      for (let i = 0; i < want.length; i++) expect(Math.abs(y[i]! - want[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(want[i]!)));
    });

    it(`${symmetric ? 'symmetric' : 'asymmetric'}, fp16 activations and scales: to fp16 precision`, async () => {
      const q = quantizeMatMulNBits(w, n, k, { symmetric, scaleType: 'float16' });
      const y = await run(q, true);
      const want = expected(q, fromFloat16Bits(toFloat16Bits(a)));
      for (let i = 0; i < want.length; i++) expect(Math.abs(y[i]! - want[i]!)).toBeLessThan(4e-3 * (1 + Math.abs(want[i]!)));
    });
  }
});

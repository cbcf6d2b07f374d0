import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import type { DenseTensor } from '../../converter/checkpoint/types.ts';
import { loadLlamaFixture, maxAbsDiff } from './testing/llamaFixture.ts';
import { referenceLoraMerge } from './loraReference.ts';

const tensor = (shape: number[], values: number[]): DenseTensor => ({ dtype: 'F32', shape, data: Float32Array.from(values) });

describe('referenceLoraMerge', () => {
  it('adds (alpha / r)·B·A by hand', () => {
    const weight = tensor([2, 2], [1, 0, 0, 1]);
    const a = tensor([1, 2], [1, 2]); // r = 1
    const b = tensor([2, 1], [3, -1]);
    const merged = referenceLoraMerge(weight, a, b, 2); // scale 2
    expect(merged.shape).toEqual([2, 2]);
    expect(Array.from(merged.data)).toEqual([1 + 6, 12, -2, 1 - 4]);
  });

  it('matches PEFT-style torch merge W + (B @ A)·alpha/r from the fixture', () => {
    const { weight, a, b, alpha, merged } = loadLlamaFixture().lora;
    expect(maxAbsDiff(referenceLoraMerge(weight, a, b, alpha).data, merged.data)).toBeLessThanOrEqual(1e-5);
  });

  it('rejects A and B that do not fit the weight', () => {
    const weight = tensor([2, 3], [0, 0, 0, 0, 0, 0]);
    const run = () => referenceLoraMerge(weight, tensor([1, 2], [0, 0]), tensor([2, 1], [0, 0]), 1);
    expect(run).toThrow(AppError);
    expect(run).toThrow(/does not fit A \[1,2\] \(want \[r, 3\]\)/);
  });
});

import { describe, expect, it } from 'vitest';
import { describePrograms, splitByLayer, total } from './perLayer.ts';

describe('splitByLayer', () => {
  it('takes what grows with the layers as one layer’s and the rest as outside them', () => {
    const full = new Map([['LayerNorm', 1], ['MatMulNBits', 5 * 12 + 1], ['QuickGelu', 12], ['Slice', 1]]);
    const one = new Map([['LayerNorm', 1], ['MatMulNBits', 6], ['QuickGelu', 1], ['Slice', 1]]);
    const { perLayer, outside } = splitByLayer(full, one, 12);
    expect(describePrograms(perLayer)).toBe('MatMulNBits 5, QuickGelu 1');
    expect(describePrograms(outside)).toBe('LayerNorm 1, MatMulNBits 1, Slice 1');
    expect(total(perLayer) * 12 + total(outside)).toBe(total(full));
  });

  it('refuses counts that do not split into equal layers', () => {
    expect(() => splitByLayer(new Map([['Mul', 5]]), new Map([['Mul', 1]]), 3)).toThrow(/Mul: 5 dispatches with 3 layers and 1 with 1/);
    expect(() => splitByLayer(new Map([['Mul', 1]]), new Map([['Mul', 2]]), 2)).toThrow(/do not split/);
    expect(() => splitByLayer(new Map(), new Map(), 1)).toThrow(/2 or more layers/);
  });
});

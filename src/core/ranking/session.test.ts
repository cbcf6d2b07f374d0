import { describe, expect, it } from 'vitest';
import { modelKey, rankSessionKey, toPrior, toSaved } from './session.ts';

describe('rank sessions', () => {
  it('keys a ranking by model, mode, reference and the set of candidates, whatever their order', () => {
    const model = modelKey({ name: 'DepictQA tiny', variant: 'q4', backend: 'wasm' });
    expect(rankSessionKey(model, 'active', 'r', ['b', 'a', 'c'])).toBe(rankSessionKey(model, 'active', 'r', ['c', 'b', 'a']));
    expect(rankSessionKey(model, 'active', 'r', ['a', 'b'])).not.toBe(rankSessionKey(model, 'allPairs', 'r', ['a', 'b']));
    expect(rankSessionKey(model, 'active', null, ['a', 'b'])).not.toBe(rankSessionKey(model, 'active', 'r', ['a', 'b']));
    expect(rankSessionKey(model, 'active', 'r', ['a', 'b'])).not.toBe(rankSessionKey(modelKey({ name: 'DepictQA tiny', variant: 'q4', backend: 'webgpu' }), 'active', 'r', ['a', 'b']));
  });

  it('saves comparisons by hash and maps them back to the current order, dropping images that left and repeats', () => {
    const saved = toSaved(
      [
        { first: 0, second: 2, pA: 0.2, pB: 0.1 },
        { first: 2, second: 0, pA: 0.3, pB: 0.4 },
        { first: 1, second: 2, pA: 0.5, pB: 0.5 },
      ],
      ['x', 'y', 'z'],
    );
    expect(saved[0]).toEqual({ first: 'x', second: 'z', pA: 0.2, pB: 0.1 });
    expect(toPrior([...saved, saved[0]!], ['z', 'x'])).toEqual([
      { first: 1, second: 0, pA: 0.2, pB: 0.1 },
      { first: 0, second: 1, pA: 0.3, pB: 0.4 },
    ]);
  });
});

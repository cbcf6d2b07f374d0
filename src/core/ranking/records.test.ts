import { describe, expect, it } from 'vitest';
import { combineOrders, pFirstWins, positionBias, validateRecord, type ComparisonRecord } from './records.ts';

const logit = (p: number) => Math.log(p / (1 - p));
const sigma = (z: number) => 1 / (1 + Math.exp(-z));

describe('combineOrders', () => {
  it('cancels an additive lean towards Image A exactly', () => {
    // True log-odds that 0 beats 1 is 1.2; the model adds 0.7 to whichever image is shown first.
    const records: ComparisonRecord[] = [
      { first: 0, second: 1, pFirst: 0.9 * sigma(1.2 + 0.7), pSecond: 0.9 * (1 - sigma(1.2 + 0.7)) },
      { first: 1, second: 0, pFirst: 0.5 * sigma(-1.2 + 0.7), pSecond: 0.5 * (1 - sigma(-1.2 + 0.7)) },
    ];
    const [pair] = combineOrders(records);
    expect(pair).toMatchObject({ i: 0, j: 1, records: 2, bothOrders: true });
    expect(logit(pair!.pIBeatsJ)).toBeCloseTo(1.2, 12);
    expect(positionBias(records)).toBeCloseTo((sigma(1.2 + 0.7) + sigma(-1.2 + 0.7)) / 2, 12);
  });

  it('weighs the two orders equally however often each was asked', () => {
    const forward = { first: 2, second: 5, pFirst: 0.8, pSecond: 0.2 };
    const backward = { first: 5, second: 2, pFirst: 0.4, pSecond: 0.6 };
    const once = combineOrders([forward, backward])[0]!;
    const thrice = combineOrders([forward, forward, forward, backward])[0]!;
    expect(thrice.pIBeatsJ).toBeCloseTo(once.pIBeatsJ, 14);
    expect(thrice.records).toBe(4);
  });

  it('keeps a single order as it is and marks it', () => {
    const [pair] = combineOrders([{ first: 3, second: 1, pFirst: 0.3, pSecond: 0.1 }]);
    expect(pair).toMatchObject({ i: 1, j: 3, records: 1, bothOrders: false });
    expect(pair!.pIBeatsJ).toBeCloseTo(0.25, 14);
  });

  it('does not let a confidence of exactly 1 outvote the other order', () => {
    const [pair] = combineOrders([
      { first: 0, second: 1, pFirst: 1, pSecond: 0 },
      { first: 1, second: 0, pFirst: 0.9, pSecond: 0.1 },
    ]);
    expect(pair!.pIBeatsJ).toBeGreaterThan(0.5);
    expect(pair!.pIBeatsJ).toBeLessThan(0.999);
  });

  it('gives the same pairs, in (i, j) order, for the records in any order', () => {
    const records: ComparisonRecord[] = [
      { first: 4, second: 0, pFirst: 0.2, pSecond: 0.7 },
      { first: 0, second: 4, pFirst: 0.6, pSecond: 0.3 },
      { first: 1, second: 2, pFirst: 0.51, pSecond: 0.49 },
      { first: 1, second: 2, pFirst: 0.61, pSecond: 0.3 },
    ];
    const a = combineOrders(records);
    expect(a.map((p) => [p.i, p.j])).toEqual([
      [0, 4],
      [1, 2],
    ]);
    expect(combineOrders([...records].reverse())).toEqual(a);
  });
});

describe('records', () => {
  it('normalise p(▁A), p(▁B) over the two letters', () => {
    expect(pFirstWins({ first: 0, second: 1, pFirst: 0.3, pSecond: 0.1 })).toBeCloseTo(0.75, 15);
    expect(pFirstWins({ first: 0, second: 1, pFirst: 0, pSecond: 0 })).toBe(0.5);
    expect(positionBias([])).toBeNaN();
  });

  it('refuse indices out of range, a pair of one image, and probabilities outside [0, 1]', () => {
    expect(() => validateRecord({ first: 0, second: 3, pFirst: 0.5, pSecond: 0.5 }, 3)).toThrow(/in \[0, 3\)/);
    expect(() => validateRecord({ first: 1, second: 1, pFirst: 0.5, pSecond: 0.5 }, 3)).toThrow(/two different/);
    expect(() => validateRecord({ first: 0, second: 1, pFirst: NaN, pSecond: 0.5 }, 3)).toThrow(/probabilities NaN/);
    expect(() => validateRecord({ first: 0, second: 1, pFirst: 0.5, pSecond: 1.5 }, 3)).toThrow(/\[0, 1\]/);
  });
});

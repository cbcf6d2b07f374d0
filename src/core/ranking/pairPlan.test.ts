import { describe, expect, it } from 'vitest';
import { fitBradleyTerry } from './bradleyTerry.ts';
import { nextInGroups, pairGain, planPairs, worthyPairWith, type PairQuery } from './pairPlan.ts';

describe('planPairs', () => {
  it('under the prior alone, spreads a round over the images: the first n/2 picks share no image', () => {
    const n = 8;
    const plan = planPairs(n, fitBradleyTerry(n, []), new Set(), 16);
    expect(plan).toHaveLength(16);
    expect(new Set(plan.map((p) => `${p.first}-${p.second}`)).size).toBe(16);
    const firstHalf = plan.slice(0, n / 2).flatMap((p) => [p.first, p.second]);
    expect(new Set(firstHalf).size).toBe(n);
  });

  it('picks first the pair whose order is least certain, and skips pairs compared already', () => {
    // 0 ≫ 1 ≫ 2 known; 3 never compared: every pair with 3 is uncertain, and (0, 3) comes first in (i, j) order.
    const bt = fitBradleyTerry(4, [
      { i: 0, j: 1, pIBeatsJ: 0.99, records: 2, bothOrders: true },
      { i: 1, j: 2, pIBeatsJ: 0.99, records: 2, bothOrders: true },
    ]);
    const compared = new Set([0 * 4 + 1, 1 * 4 + 2]);
    const plan = planPairs(4, bt, compared, 10);
    expect(plan[0]!.second).toBe(3);
    expect(plan).toHaveLength(4);
    expect(plan.some((p) => (p.first === 0 && p.second === 1) || (p.first === 1 && p.second === 2))).toBe(false);
  });

});

describe('worthyPairWith', () => {
  it("gives the image's best new pair only while its gain is within the share of the best of all", () => {
    // 0 ≫ 1 known, 2 and 3 never compared: (2, 3) is the most uncertain pair; 0's best is with 2 (the first on a tie).
    const bt = fitBradleyTerry(4, [{ i: 0, j: 1, pIBeatsJ: 0.999, records: 2, bothOrders: true }]);
    const compared = new Set([1]);
    expect(worthyPairWith(4, bt, compared, 2, 1)).toEqual({ first: 2, second: 3 });
    const share = pairGain(4, bt, 0, 2) / pairGain(4, bt, 2, 3);
    expect(share).toBeLessThan(1);
    expect(worthyPairWith(4, bt, compared, 0, share * 0.999)).toEqual({ first: 0, second: 2 });
    expect(worthyPairWith(4, bt, compared, 0, share * 1.001)).toBeNull();
    expect(worthyPairWith(4, bt, new Set([1, 2, 3]), 0, 0)).toBeNull();
  });
});

describe('nextInGroups', () => {
  const none = () => null;
  it('keeps the last Image A while it is owed an order or has a planned pair, owed orders first', () => {
    const owed: PairQuery[] = [{ first: 2, second: 4 }, { first: 2, second: 1 }, { first: 3, second: 0 }];
    expect(nextInGroups(5, { first: 2, second: 0 }, owed, none, () => [])).toEqual({ first: 2, second: 1 });
    const planFor = (a: number) => (a === 3 ? { first: 1, second: 3 } : null);
    expect(nextInGroups(5, { first: 3, second: 4 }, [], planFor, () => [])).toEqual({ first: 3, second: 1 });
  });

  it('starts a new group with the image that has the most orders left', () => {
    const owed: PairQuery[] = [{ first: 4, second: 0 }];
    const plan: PairQuery[] = [{ first: 1, second: 4 }, { first: 2, second: 3 }];
    expect(nextInGroups(5, { first: 0, second: 4 }, owed, none, () => plan)).toEqual({ first: 4, second: 0 });
    expect(nextInGroups(5, null, [], none, () => plan)).toEqual({ first: 1, second: 4 });
    expect(nextInGroups(5, null, [], none, () => [])).toBeNull();
  });
});

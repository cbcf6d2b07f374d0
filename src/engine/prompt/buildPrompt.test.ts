import { describe, expect, it } from 'vitest';
import { embedRange, type PromptItem } from './buildPrompt.ts';

const HIDDEN = 2;

/** Text row of token t is [t, −t]; image row r of image k is [100k + r, 0.5]. */
function image(k: number, count: number): PromptItem {
  const rows = new Float32Array(count * HIDDEN);
  for (let r = 0; r < count; r++) rows.set([100 * k + r, 0.5], r * HIDDEN);
  return { slot: 'a', imageId: `image${k}`, features: { rows, count } };
}

const items: PromptItem[] = [{ ids: [1, 2, 3] }, image(1, 4), { ids: [7, 8] }, image(2, 3), { ids: [9] }];
// Positions: 1 2 3 | 100 101 102 103 | 7 8 | 200 201 202 | 9
const all = [1, 2, 3, 100, 101, 102, 103, 7, 8, 200, 201, 202, 9];

describe('embedRange', () => {
  it('puts text rows and image rows at their positions, for any range, with one embedding run', async () => {
    for (let start = 0; start < all.length; start++) {
      for (let end = start + 1; end <= all.length; end++) {
        const runs: number[][] = [];
        const embed = async (ids: readonly number[]) => {
          runs.push([...ids]);
          return Float32Array.from(ids.flatMap((id) => [id, -id]));
        };
        const out = await embedRange(items, start, end, HIDDEN, embed);
        const expected = all.slice(start, end).flatMap((value) => (value >= 100 ? [value, 0.5] : [value, -value]));
        expect(Array.from(out)).toEqual(expected);
        expect(runs).toEqual([all.slice(start, end).filter((value) => value < 100)]);
      }
    }
  });
});

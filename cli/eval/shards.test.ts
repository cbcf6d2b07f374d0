import { describe, expect, it } from 'vitest';
import { groupsOfShard, parseShard } from './shards.ts';

describe('shards', () => {
  const groups = Array.from({ length: 23 }, (_, k) => ({ key: `I${String((k * 7) % 23).padStart(2, '0')}` }));

  it('every group falls in exactly one shard, for N = 1 … 8, and shards differ by at most one group', () => {
    for (let count = 1; count <= 8; count++) {
      const shards = Array.from({ length: count }, (_, index) => groupsOfShard(groups, { index, count }).map((g) => g.key));
      const all = shards.flat();
      expect(all).toHaveLength(groups.length);
      expect(new Set(all).size).toBe(groups.length);
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('does not depend on the order the groups come in', () => {
    const reversed = [...groups].reverse();
    for (let index = 0; index < 5; index++) expect(groupsOfShard(reversed, { index, count: 5 })).toEqual(groupsOfShard(groups, { index, count: 5 }));
  });

  it('parses I/N and refuses the rest', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    for (const bad of ['8/8', '-1/4', '1/0', '1', 'a/b', '1/2/3']) expect(() => parseShard(bad)).toThrow(/expected I\/N/);
  });
});

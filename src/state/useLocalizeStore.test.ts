import { beforeEach, describe, expect, it } from 'vitest';
import type { LocalizeTile } from '../core/engine/localize.ts';
import { mapMatches, useLocalizeStore } from './useLocalizeStore.ts';

const tile = (col: number, pA: number): LocalizeTile => ({ row: 0, col, x: col * 80, y: 0, w: 80, h: 80, skipped: false, pA });
const IDS = { reference: 'r', a: 'a', b: 'b' };

describe('the quality map store', () => {
  beforeEach(() => useLocalizeStore.getState().clear());

  it('shows the earlier tiles of a map gone on with from the start, and their replay never shrinks the map', () => {
    const store = useLocalizeStore.getState();
    store.start(IDS, 'compare', 'run-1');
    store.addTile(tile(0, 0.2), 1, 4);
    store.addTile(tile(1, 0.7), 2, 4);
    const earlier = useLocalizeStore.getState().tiles;
    store.start(IDS, 'compare', 'run-1', earlier);
    expect(useLocalizeStore.getState()).toMatchObject({ status: 'running', savedId: 'run-1', tiles: earlier, progress: { done: 2, total: 4 } });
    // The engine sends the earlier tiles again first, then the new ones.
    store.addTile(earlier[0]!, 1, 4);
    expect(useLocalizeStore.getState().tiles).toEqual(earlier);
    expect(useLocalizeStore.getState().progress).toEqual({ done: 2, total: 4 });
    store.addTile(earlier[1]!, 2, 4);
    store.addTile(tile(2, 0.4), 3, 4);
    expect(useLocalizeStore.getState().tiles.map((t) => t.col)).toEqual([0, 1, 2]);
    expect(useLocalizeStore.getState().progress).toEqual({ done: 3, total: 4 });
  });

  it('knows whether a map belongs to the images the slots hold', () => {
    const slots = { reference: { id: 'r' }, a: { id: 'a' }, b: { id: 'b' } };
    expect(mapMatches(IDS, slots)).toBe(true);
    expect(mapMatches(IDS, { ...slots, b: { id: 'other' } })).toBe(false);
    expect(mapMatches(IDS, { ...slots, reference: null })).toBe(false);
    expect(mapMatches({ reference: null, a: 'a', b: null }, { reference: null, a: { id: 'a' }, b: null })).toBe(true);
    expect(mapMatches(null, slots)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { LocalizeRecord, LocalizeTile } from './localize.ts';
import { distortionNames, leanCounts, tileLean, mapMarkdown, mapSummary, preferenceColour, tileAt, tileLook, tileName } from './tileView.ts';

const rect = (row: number, col: number, side = 100) => ({ row, col, x: col * side, y: row * side, w: side, h: side });

const compareRecord = (tiles: LocalizeTile[], cancelled = false): LocalizeRecord => ({
  mode: 'compare',
  grid: { rows: 2, cols: 2 },
  overlap: 0,
  tolerance: 0.005,
  width: 200,
  height: 200,
  tiles,
  stats: { asked: tiles.filter((t) => !t.skipped).length, skipped: tiles.filter((t) => t.skipped).length, visionRuns: 6, prefillTokens: 120 },
  cancelled,
});

const TILES: LocalizeTile[] = [
  { ...rect(0, 0), skipped: true, reason: 'no visible difference: identical pixels' },
  { ...rect(0, 1), skipped: false, pA: 0.92 },
  { ...rect(1, 0), skipped: false, pA: 0.07 },
  { ...rect(1, 1), skipped: false, pA: 0.49 },
];

describe('the map as the viewer draws it', () => {
  it('colours p(A better) from orange (B) through a pale middle to purple (A)', () => {
    expect(preferenceColour(0, 1)).toBe('rgb(230 97 1 / 1)');
    // Even is the pale middle stop (247, 247, 247), to the 1/255 step of the scale's table.
    expect(preferenceColour(0.5, 0.2)).toMatch(/^rgb\(24[67] 24[67] 247 \/ 0\.2\)$/);
    expect(preferenceColour(1, 0.7)).toBe('rgb(94 60 153 / 0.7)');
    // Out-of-range values are clamped, not extrapolated.
    expect(preferenceColour(1.3, 1)).toBe(preferenceColour(1, 1));
  });

  it('labels each tile and says what it means; a skipped tile is marked, not coloured', () => {
    const looks = TILES.map((tile) => tileLook(tile, []));
    expect(looks.map((look) => look.label)).toEqual(['=', '92%', '7%', '49%']);
    expect(looks[0]!.fill).toBe('transparent');
    expect(looks[0]!.description).toBe('Tile r1c1 (100×100 at 0, 0): no visible difference: identical pixels.');
    expect(looks[1]!.description).toBe('Tile r1c2 (100×100 at 100, 0): A better, p(A better) 0.920.');
    expect(looks[2]!.description).toContain('B better');
    expect(looks[3]!.description).toContain('undecided');
    // Stronger leaning, more opaque.
    expect(looks[1]!.fill).toMatch(/\/ 0\.62\)$/);
    expect(looks[3]!.fill).toMatch(/\/ 0\.21\)$/);
  });

  it('names distortions with one colour each, in the order they first appear', () => {
    const tiles: LocalizeTile[] = [
      { ...rect(0, 0), skipped: false, distortion: 'noise', confidence: 0.8 },
      { ...rect(0, 1), skipped: false, distortion: 'blur', confidence: null },
      { ...rect(1, 0), skipped: false, distortion: 'noise', confidence: 0.6 },
      { ...rect(1, 1), skipped: false, distortion: null, confidence: 0.4 },
    ];
    const names = distortionNames(tiles);
    expect(names).toEqual(['noise', 'blur']);
    const looks = tiles.map((tile) => tileLook(tile, names));
    expect(looks[0]!.fill).toBe(looks[2]!.fill);
    expect(looks[0]!.fill).not.toBe(looks[1]!.fill);
    expect(looks[0]!.description).toBe('Tile r1c1 (100×100 at 0, 0): noise, confidence 80%.');
    expect(looks[3]).toMatchObject({ label: 'none', fill: 'transparent' });
  });

  it('finds the tile under a point; with an overlap, the one whose centre is nearest', () => {
    expect(tileAt(TILES, 150, 20)).toBe(TILES[1]);
    expect(tileAt(TILES, 199.5, 199.5)).toBe(TILES[3]);
    expect(tileAt(TILES, 200, 10)).toBeNull();
    expect(tileAt(TILES, -1, 10)).toBeNull();
    const overlapping = [
      { row: 0, col: 0, x: 0, y: 0, w: 116, h: 100 },
      { row: 0, col: 1, x: 84, y: 0, w: 116, h: 100 },
    ];
    expect(tileAt(overlapping, 95, 50)).toBe(overlapping[0]);
    expect(tileAt(overlapping, 105, 50)).toBe(overlapping[1]);
  });
});

describe('the map in words', () => {
  it('counts what leans where (a point or so from even leans neither way) and names the strongest tiles', () => {
    expect([0.52, 0.51, 0.5, 0.49, 0.48].map(tileLean)).toEqual(['A', null, null, null, 'B']);
    expect(leanCounts(TILES)).toEqual({ a: 1, b: 1, even: 1, skipped: 1 });
    expect(mapSummary(compareRecord(TILES))).toBe(
      [
        '2×2 map of A against B: 1 tile favours A, 1 tile favours B, 1 undecided, 1 skipped (no visible difference).',
        'Strongest for A: r1c2, p(A better) 0.920.',
        'Strongest for B: r2c1, p(A better) 0.070.',
        '3 tiles asked, 1 skipped · 6 vision runs · 120 prefill tokens.',
      ].join('\n'),
    );
  });

  it('says when the map was stopped, and names no strongest tile for a side no tile leans to', () => {
    const summary = mapSummary(compareRecord(TILES.slice(0, 2), true));
    expect(summary).toContain('(stopped after 2 of 4 tiles)');
    expect(summary).toContain('Strongest for A: r1c2');
    expect(summary).not.toContain('Strongest for B');
  });

  it('tells the distortions of a one-image map by how often they were named', () => {
    const tiles: LocalizeTile[] = [
      { ...rect(0, 0), skipped: false, distortion: 'blur', confidence: 0.9 },
      { ...rect(0, 1), skipped: false, distortion: 'noise', confidence: 0.8 },
      { ...rect(1, 0), skipped: false, distortion: 'noise', confidence: 0.7 },
      { ...rect(1, 1), skipped: true, reason: 'no visible difference: SSIM to the reference at least 0.995' },
    ];
    const record: LocalizeRecord = { ...compareRecord(tiles), mode: 'identify' };
    expect(mapSummary(record).split('\n')[0]).toBe("2×2 map of A's distortions: noise ×2, blur ×1; 1 skipped (no visible difference).");
    expect(mapMarkdown(record)).toEqual([
      '- **Map:** 2×2 tiles of 200×200 px, overlap 0 px, skip tolerance 0.005',
      '',
      '| Tile | x | y | w × h | Distortion | Confidence | Note |',
      '|---|---:|---:|---|---|---:|---|',
      '| r1c1 | 0 | 0 | 100 × 100 | blur | 0.900 |  |',
      '| r1c2 | 100 | 0 | 100 × 100 | noise | 0.800 |  |',
      '| r2c1 | 0 | 100 | 100 × 100 | noise | 0.700 |  |',
      '| r2c2 | 100 | 100 | 100 × 100 | – | – | no visible difference: SSIM to the reference at least 0.995 |',
    ]);
  });

  it('writes p(A better) per tile in the Markdown table', () => {
    const lines = mapMarkdown(compareRecord(TILES));
    expect(lines[2]).toBe('| Tile | x | y | w × h | p(A better) | Note |');
    expect(lines.slice(4)).toEqual([
      '| r1c1 | 0 | 0 | 100 × 100 | – | no visible difference: identical pixels |',
      '| r1c2 | 100 | 0 | 100 × 100 | 0.920 |  |',
      '| r2c1 | 0 | 100 | 100 × 100 | 0.070 |  |',
      '| r2c2 | 100 | 100 | 100 × 100 | 0.490 |  |',
    ]);
    expect(tileName({ row: 1, col: 0 })).toBe('r2c1');
  });
});

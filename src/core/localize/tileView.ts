import { lookupTable, type Rgb } from '../viewer/colorScale.ts';
import type { Grid, TileRect } from './grid.ts';
import type { LocalizeRecord, LocalizeTile } from './localize.ts';

/**
 * How a local quality map reads: each tile's colour and label in the viewer, the tile under a point, and the map in
 * words for History and the exports. Pure: the viewer and the history record share it.
 */


/**
 * B better (orange) through an undecided middle to A better (purple): ColorBrewer's PuOr, readable with the common
 * colour-vision deficiencies.
 */
export const PREFERENCE_STOPS: readonly Rgb[] = [
  [230, 97, 1],
  [253, 184, 99],
  [247, 247, 247],
  [178, 171, 210],
  [94, 60, 153],
];

const PREFERENCE_TABLE = lookupTable(PREFERENCE_STOPS);

/** Distinct colours for the distortion names of a one-image map, in the order they first appear (Tableau 10). */
const CATEGORY_COLOURS: readonly Rgb[] = [
  [78, 121, 167],
  [242, 142, 43],
  [225, 87, 89],
  [118, 183, 178],
  [89, 161, 79],
  [237, 201, 72],
  [176, 122, 161],
  [255, 157, 167],
  [156, 117, 95],
  [186, 176, 172],
];

/** Within this of even, a tile leans neither way: its label reads 50% or a point either side. */
export const UNDECIDED_BAND = 0.015;

/** Which image a tile's p(A better) favours. */
export function tileLean(pA: number): 'A' | 'B' | null {
  return pA >= 0.5 + UNDECIDED_BAND ? 'A' : pA <= 0.5 - UNDECIDED_BAND ? 'B' : null;
}

/** What a tile of the map shows: its fill, its short label, and the sentence a screen reader and the title read. */
export interface TileLook {
  fill: string;
  label: string;
  description: string;
}

/** The colour of p(A better) on the preference scale, as CSS with the given opacity. */
export function preferenceColour(pA: number, alpha: number): string {
  const entry = Math.round(Math.min(1, Math.max(0, pA)) * 255) * 3;
  return `rgb(${PREFERENCE_TABLE[entry]} ${PREFERENCE_TABLE[entry + 1]} ${PREFERENCE_TABLE[entry + 2]} / ${alpha})`;
}

/** The distortion names of a map in the order they first appear: each keeps its colour across the map and legend. */
export function distortionNames(tiles: readonly LocalizeTile[]): string[] {
  const names: string[] = [];
  for (const tile of tiles) {
    const name = tileDistortion(tile);
    if (name !== null && !names.includes(name)) names.push(name);
  }
  return names;
}

export function distortionColour(name: string, names: readonly string[]): string {
  const [r, g, b] = CATEGORY_COLOURS[Math.max(0, names.indexOf(name)) % CATEGORY_COLOURS.length]!;
  return `rgb(${r} ${g} ${b} / 0.55)`;
}

/** "r2c3": rows and columns counted from 1, as the CLI's table and the exports name a tile. */
export function tileName(tile: Pick<TileRect, 'row' | 'col'>): string {
  return `r${tile.row + 1}c${tile.col + 1}`;
}

export function tileLook(tile: LocalizeTile, names: readonly string[]): TileLook {
  const where = `Tile ${tileName(tile)} (${tile.w}×${tile.h} at ${tile.x}, ${tile.y})`;
  if (tile.skipped) return { fill: 'transparent', label: '=', description: `${where}: ${tile.reason ?? 'no visible difference'}.` };
  if (tile.pA !== undefined) {
    const pA = tile.pA;
    const lean = { A: 'A better', B: 'B better', none: 'undecided' }[tileLean(pA) ?? 'none'];
    return { fill: preferenceColour(pA, Number((0.2 + Math.abs(pA - 0.5)).toFixed(2))), label: `${Math.round(pA * 100)}%`, description: `${where}: ${lean}, p(A better) ${pA.toFixed(3)}.` };
  }
  const name = tileDistortion(tile);
  const confidence = tile.confidence === null || tile.confidence === undefined ? '' : `, confidence ${Math.round(tile.confidence * 100)}%`;
  if (name === null) return { fill: 'transparent', label: 'none', description: `${where}: no distortion named${confidence}.` };
  return { fill: distortionColour(name, names), label: name, description: `${where}: ${name}${confidence}.` };
}

function tileDistortion(tile: LocalizeTile): string | null {
  return tile.skipped || tile.distortion === undefined ? null : tile.distortion;
}

/**
 * The tile under an image point: of the tiles holding it (with an overlap, several may), the one whose centre is
 * nearest; null outside every tile.
 */
export function tileAt<T extends TileRect>(tiles: readonly T[], x: number, y: number): T | null {
  let best: T | null = null;
  let bestDistance = Infinity;
  for (const tile of tiles) {
    if (x < tile.x || y < tile.y || x >= tile.x + tile.w || y >= tile.y + tile.h) continue;
    const distance = (x - (tile.x + tile.w / 2)) ** 2 + (y - (tile.y + tile.h / 2)) ** 2;
    if (distance < bestDistance) {
      best = tile;
      bestDistance = distance;
    }
  }
  return best;
}

/** How many tiles lean each way (`tileLean`): A better, B better, neither, skipped. */
export function leanCounts(tiles: readonly LocalizeTile[]): { a: number; b: number; even: number; skipped: number } {
  const counts = { a: 0, b: 0, even: 0, skipped: 0 };
  for (const tile of tiles) {
    if (tile.skipped) counts.skipped++;
    else if (tile.pA === undefined) continue;
    else if (tileLean(tile.pA) === 'A') counts.a++;
    else if (tileLean(tile.pA) === 'B') counts.b++;
    else counts.even++;
  }
  return counts;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const favour = (count: number) => `${plural(count, 'tile')} favour${count === 1 ? 's' : ''}`;
const gridText = (grid: Grid) => `${grid.rows}×${grid.cols}`;

/**
 * The record of a map still being made, as History keeps it while the tiles arrive (a page closed meanwhile leaves
 * it whole): the tiles so far, counted, and marked as not done. The model's work is counted when the map ends.
 */
export function partialRecord(map: Omit<LocalizeRecord, 'tiles' | 'stats' | 'cancelled'>, tiles: readonly LocalizeTile[]): LocalizeRecord {
  const asked = tiles.filter((tile) => !tile.skipped).length;
  return { ...map, tiles: [...tiles], stats: { asked, skipped: tiles.length - asked, visionRuns: 0, prefillTokens: 0 }, cancelled: true };
}

/** The map in a few lines: what leans where, the strongest tiles, what was skipped, and what it cost. */
export function mapSummary(record: LocalizeRecord): string {
  const total = record.grid.rows * record.grid.cols;
  const done = record.cancelled ? ` (stopped after ${record.tiles.length} of ${total} tiles)` : '';
  const lines: string[] = [];
  if (record.mode === 'compare') {
    const counts = leanCounts(record.tiles);
    lines.push(
      `${gridText(record.grid)} map of A against B${done}: ${favour(counts.a)} A, ${favour(counts.b)} B` +
        `${counts.even > 0 ? `, ${counts.even} undecided` : ''}, ${counts.skipped} skipped (no visible difference).`,
    );
    const asked = record.tiles.filter((tile) => tile.pA !== undefined);
    const strongest = (pick: (x: number, y: number) => boolean) => asked.reduce<LocalizeTile | null>((best, tile) => (best === null || pick(tile.pA!, best.pA!) ? tile : best), null);
    const forA = strongest((x, y) => x > y);
    const forB = strongest((x, y) => x < y);
    if (forA !== null && tileLean(forA.pA!) === 'A') lines.push(`Strongest for A: ${tileName(forA)}, p(A better) ${forA.pA!.toFixed(3)}.`);
    if (forB !== null && tileLean(forB.pA!) === 'B') lines.push(`Strongest for B: ${tileName(forB)}, p(A better) ${forB.pA!.toFixed(3)}.`);
  } else {
    const counts = new Map<string, number>();
    for (const tile of record.tiles) if (!tile.skipped) counts.set(tile.distortion ?? 'none named', (counts.get(tile.distortion ?? 'none named') ?? 0) + 1);
    const named = [...counts].sort((x, y) => y[1] - x[1]).map(([name, count]) => `${name} ×${count}`);
    const skipped = record.tiles.filter((tile) => tile.skipped).length;
    lines.push(`${gridText(record.grid)} map of A's distortions${done}: ${named.length === 0 ? 'no tile asked' : named.join(', ')}; ${skipped} skipped (no visible difference).`);
  }
  const s = record.stats;
  lines.push(`${plural(s.asked, 'tile')} asked, ${s.skipped} skipped · ${plural(s.visionRuns, 'vision run')} · ${s.prefillTokens} prefill tokens.`);
  return lines.join('\n');
}

/** The map's tiles as a Markdown table, in grid order. */
export function mapMarkdown(record: LocalizeRecord): string[] {
  const compare = record.mode === 'compare';
  const lines = [
    `- **Map:** ${gridText(record.grid)} tiles of ${record.width}×${record.height} px, overlap ${record.overlap} px, skip tolerance ${record.tolerance}${record.cancelled ? ' · stopped before every tile was done' : ''}`,
    '',
    compare ? '| Tile | x | y | w × h | p(A better) | Note |' : '| Tile | x | y | w × h | Distortion | Confidence | Note |',
    compare ? '|---|---:|---:|---|---:|---|' : '|---|---:|---:|---|---|---:|---|',
  ];
  for (const tile of record.tiles) {
    const head = `| ${tileName(tile)} | ${tile.x} | ${tile.y} | ${tile.w} × ${tile.h} |`;
    const note = tile.skipped ? (tile.reason ?? 'skipped') : '';
    if (compare) lines.push(`${head} ${tile.pA === undefined ? '–' : tile.pA.toFixed(3)} | ${note} |`);
    else {
      const confidence = tile.confidence === null || tile.confidence === undefined ? '–' : tile.confidence.toFixed(3);
      lines.push(`${head} ${tile.skipped ? '–' : (tile.distortion ?? 'none named')} | ${tile.skipped ? '–' : confidence} | ${note} |`);
    }
  }
  return lines;
}

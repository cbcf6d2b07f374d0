/**
 * `npm run ask -- --task localize`: the local quality map in Node. The images are decoded and checked first (same
 * size, at least one tile), then the grid; the model loads only when a tile needs asking.
 */
import type { ResizeRule } from '../../src/core/vision/resizeRule.ts';
import { DEPICTQA_WILD_RULE, modelResizeRule } from '../../src/core/vision/resizeRule.ts';
import { localize, type LocalizeRecord, type LocalizeTile, type TileJudge } from '../../src/core/localize/localize.ts';
import { psnrJudge } from '../../src/core/localize/psnrJudge.ts';
import { readBundleManifest } from '../host/folderBundle.ts';
import { openLoadedEngine, type AskOutput } from '../host/runAsk.ts';
import { decodeImageFile } from '../image/decode.ts';
import { engineJudge } from './engineJudge.ts';
import type { LocalizeArgs } from './localizeArgs.ts';

export interface LocalizeRun {
  task: 'localize';
  comparator: 'engine' | 'fake';
  device: string;
  variant: string;
  images: { ref: string | null; A: string; B: string | null };
  localize: LocalizeRecord;
}

export async function runLocalize(args: LocalizeArgs, io: AskOutput): Promise<LocalizeRun> {
  // 1. Without the model: the images decoded, and the bundle's resize rule (its min_size bounds a tile).
  const [reference, a, b] = await Promise.all([
    args.reference === undefined ? null : decodeImageFile(args.reference),
    decodeImageFile(args.a),
    args.b === undefined ? null : decodeImageFile(args.b),
  ]);
  const rule: ResizeRule = args.bundle === undefined ? DEPICTQA_WILD_RULE : modelResizeRule(await readBundleManifest(args.bundle));
  const options = {
    ...(args.grid === undefined ? {} : { grid: args.grid }),
    overlap: args.overlap,
    ...(args.tolerance === undefined ? {} : { tolerance: args.tolerance }),
    onTile: (tile: LocalizeTile, done: number, total: number) => {
      if (!args.json) io.err(`tile ${done} of ${total} (row ${tile.row + 1}, column ${tile.col + 1}): ${tileText(tile)}\n`);
    },
  };
  const images = { reference, a, b };

  // 2. The judge: the PSNR stand-in, or the engine, loaded only when some tile is asked.
  let judge: TileJudge = psnrJudge();
  let where = { device: 'fake', variant: 'fake' };
  let close = async () => {};
  if (args.comparator === 'engine') {
    const { engine, device, model } = await openLoadedEngine({ ...args, bundle: args.bundle! }, {});
    judge = engineJudge(engine, { questionIndex: args.questionIndex });
    where = { device, variant: model.variant };
    close = () => engine.unload();
  }
  try {
    const record = await localize(images, rule, judge, options);
    const run: LocalizeRun = {
      task: 'localize',
      comparator: args.comparator,
      ...where,
      images: { ref: args.reference ?? null, A: args.a, B: args.b ?? null },
      localize: record,
    };
    io.out(args.json ? `${JSON.stringify(run)}\n` : mapTable(record));
    return run;
  } finally {
    await close();
  }
}

function tileText(tile: LocalizeTile): string {
  if (tile.skipped) return tile.reason ?? 'skipped';
  if (tile.pA !== undefined) return `p(A better) ${tile.pA.toFixed(3)}`;
  const confidence = tile.confidence === null || tile.confidence === undefined ? '' : ` (confidence ${tile.confidence.toFixed(2)})`;
  return `${tile.distortion ?? 'no distortion named'}${confidence}`;
}

/** The map as rows of the grid: p(A better) per tile (· for a skipped one), or the distortion names. */
export function mapTable(record: LocalizeRecord): string {
  const lines = [
    `${record.mode === 'compare' ? 'p(A better) per tile' : 'distortion per tile'}, ${record.grid.rows}x${record.grid.cols} grid on ${record.width}×${record.height} (· = no visible difference)`,
  ];
  for (let row = 0; row < record.grid.rows; row++) {
    const cells = record.tiles.filter((tile) => tile.row === row).map((tile) => (tile.skipped ? '·' : tile.pA !== undefined ? tile.pA.toFixed(2) : (tile.distortion ?? '?')));
    lines.push(cells.map((cell) => cell.padStart(record.mode === 'compare' ? 5 : 12)).join(' '));
  }
  const s = record.stats;
  lines.push(`${s.asked} tiles asked, ${s.skipped} skipped; ${s.visionRuns} vision runs, ${s.prefillTokens} tokens prefilled`);
  return `${lines.join('\n')}\n`;
}

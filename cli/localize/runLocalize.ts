/**
 * `npm run ask -- --task localize`: the local quality map in Node. The images' headers are checked first (same
 * size, at least one tile), then the grid; then the engine's `localize` job, or the PSNR stand-in without a model.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../../src/core/errors.ts';
import { inspectImageBytes } from '../../src/core/image/inspectImage.ts';
import { checkGrid, checkMapImages } from '../../src/core/localize/grid.ts';
import { localize, type LocalizeRecord, type LocalizeTile } from '../../src/core/localize/localize.ts';
import { psnrJudge } from '../../src/core/localize/psnrJudge.ts';
import { DEPICTQA_WILD_RULE, modelResizeRule, type ResizeRule } from '../../src/core/vision/resizeRule.ts';
import { readBundleManifest } from '../host/folderBundle.ts';
import { openLoadedEngine, type AskOutput } from '../host/runAsk.ts';
import { decodeImageBytes } from '../image/decode.ts';
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
  // 1. Without the model: the files read, their sizes and the grid checked against the bundle's resize rule (its
  // min_size bounds a tile), so bad input fails before the weights load.
  const slots = [
    ['the reference', args.reference],
    ['Image A', args.a],
    ['Image B', args.b],
  ] as const;
  const files = await Promise.all(slots.map(async ([label, path]) => (path === undefined ? null : { label, path, bytes: await readImage(path) })));
  const rule: ResizeRule = args.bundle === undefined ? DEPICTQA_WILD_RULE : modelResizeRule(await readBundleManifest(args.bundle));
  const sizes = files.flatMap((file) => (file === null ? [] : [{ label: file.label, ...inspectImageBytes(file.bytes, file.path) }]));
  const { width, height } = checkMapImages(sizes, rule);
  if (args.grid !== undefined) checkGrid(args.grid, width, height, rule);
  const onTile = (tile: LocalizeTile, done: number, total: number) => {
    if (!args.json) io.err(`tile ${done} of ${total} (row ${tile.row + 1}, column ${tile.col + 1}): ${tileText(tile)}\n`);
  };
  const options = {
    ...(args.grid === undefined ? {} : { grid: args.grid }),
    overlap: args.overlap,
    ...(args.tolerance === undefined ? {} : { tolerance: args.tolerance }),
  };
  const [reference = null, a = null, b = null] = files;

  // 2. The map: the engine's own job (crops encoded from its decoded pixels), or the PSNR stand-in on the same core.
  let record: LocalizeRecord;
  let where = { device: 'fake', variant: 'fake' };
  if (args.comparator === 'engine') {
    const { engine, device, model } = await openLoadedEngine({ ...args, bundle: args.bundle! }, {});
    where = { device, variant: model.variant };
    try {
      const input = (file: (typeof files)[number]) => (file === null ? undefined : { name: file.path, bytes: file.bytes });
      record = await engine.localize(
        { ...(reference === null ? {} : { reference: input(reference)! }), a: input(a)!, ...(b === null ? {} : { b: input(b)! }), ...options, questionIndex: args.questionIndex },
        (event) => event.type === 'tile' && onTile(event.tile, event.done, event.total),
      );
    } finally {
      await engine.unload();
    }
  } else {
    const decoded = async (file: (typeof files)[number]) => (file === null ? null : decodeImageBytes(file.bytes, file.path));
    record = await localize({ reference: await decoded(reference), a: (await decoded(a))!, b: await decoded(b) }, rule, psnrJudge(), { ...options, onTile });
  }
  const run: LocalizeRun = {
    task: 'localize',
    comparator: args.comparator,
    ...where,
    images: { ref: args.reference ?? null, A: args.a, B: args.b ?? null },
    localize: record,
  };
  io.out(args.json ? `${JSON.stringify(run)}\n` : mapTable(record));
  return run;
}

async function readImage(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    throw new AppError('FILE_NOT_FOUND', `${path}: cannot read the file (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { hint: 'Check the paths given to --ref, --a and --b.', cause });
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

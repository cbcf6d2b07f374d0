import { parseGrid, type Grid } from '../../src/core/localize/grid.ts';
import { DEFAULT_SKIP_TOLERANCE } from '../../src/core/localize/skip.ts';
import { badArguments, decimal, modelFlags, oneOf, parseFlags, required, sharedFlags, sharedUsage, usageLine, wholeNumber, type ModelFlags } from '../flags/flags.ts';

export const LOCALIZE_USAGE = [
  'Usage: npm run ask -- --task localize --bundle DIR --ref R --a A [--b B] [--grid RxC] [options]',
  '',
  'Where is it worse: aligned crops of the reference, A and B on a grid, each asked about. With B: the brief',
  'comparison of every tile in both orders, p(A better) per tile. With A alone: the distortion of every tile and',
  'its confidence. Tiles where A and B are the same, or within a tolerance of the reference (SSIM map), are skipped.',
  '',
  sharedUsage('bundle'),
  sharedUsage('ref', 'the reference (needed for one image and for --comparator fake)'),
  sharedUsage('a', 'the images to map, all of one size'),
  usageLine('grid', 'RxC', "rows × columns (default: tiles near the model's input size, 224 pixels)"),
  usageLine('overlap', 'PX', 'pixels each tile reaches into its neighbours (default 0)'),
  usageLine('tolerance', 'T', `skip a tile whose mean SSIM to the reference is at least 1 − T for each image (default ${DEFAULT_SKIP_TOLERANCE}; 0: only identical tiles)`),
  usageLine('question-index', 'N', 'which brief comparison question to ask (default 0)'),
  sharedUsage('comparator', 'no model: prefers the crop with the higher PSNR to the reference (needs --ref)'),
  sharedUsage('device'),
  sharedUsage('variant'),
  sharedUsage('context'),
  sharedUsage('json', 'print one JSON record instead of the table'),
].join('\n');

export interface LocalizeArgs extends ModelFlags {
  /** Absent with --comparator fake. */
  bundle?: string;
  reference?: string;
  a: string;
  b?: string;
  grid?: Grid;
  overlap: number;
  tolerance?: number;
  questionIndex: number;
  comparator: 'engine' | 'fake';
  json: boolean;
}

/** Whether `npm run ask` was asked for a map (`--task localize` or `--task=localize`). */
export function isLocalizeTask(argv: readonly string[]): boolean {
  return argv.some((arg, k) => arg === '--task=localize' || (arg === '--task' && argv[k + 1] === 'localize'));
}

export function parseLocalizeArgs(argv: string[]): LocalizeArgs {
  const values = parseFlags(
    argv,
    {
      ...sharedFlags('bundle', 'ref', 'a', 'b', 'device', 'variant', 'context', 'json', 'comparator', 'help'),
      task: { type: 'string' },
      grid: { type: 'string' },
      overlap: { type: 'string' },
      tolerance: { type: 'string' },
      'question-index': { type: 'string' },
    },
    LOCALIZE_USAGE,
  );
  if (values.help) throw badArguments('asked for the usage', LOCALIZE_USAGE);
  const comparator = oneOf(values.comparator, 'comparator', ['engine', 'fake'], LOCALIZE_USAGE);
  const bundle = comparator === 'fake' ? values.bundle : required(values.bundle, 'bundle', 'DIR', LOCALIZE_USAGE);
  const a = required(values.a, 'a', 'FILE', LOCALIZE_USAGE);
  if (values.b === undefined && values.ref === undefined) throw badArguments('A map of one image needs its reference: give --ref R (or --b B to compare with).', LOCALIZE_USAGE);
  if (comparator === 'fake' && values.ref === undefined) throw badArguments('--comparator fake compares PSNR to the reference: give --ref R.', LOCALIZE_USAGE);
  let grid: Grid | undefined;
  if (values.grid !== undefined) {
    try {
      grid = parseGrid(values.grid);
    } catch (error) {
      throw badArguments((error as Error).message, LOCALIZE_USAGE);
    }
  }
  const tolerance = values.tolerance === undefined ? undefined : decimal(values.tolerance, 'tolerance', LOCALIZE_USAGE);
  if (tolerance !== undefined && !(tolerance >= 0 && tolerance < 1)) throw badArguments(`--tolerance must be in [0, 1), not "${values.tolerance}"`, LOCALIZE_USAGE);
  return {
    ...(bundle === undefined ? {} : { bundle }),
    ...(values.ref === undefined ? {} : { reference: values.ref }),
    a,
    ...(values.b === undefined ? {} : { b: values.b }),
    ...(grid === undefined ? {} : { grid }),
    overlap: values.overlap === undefined ? 0 : wholeNumber(values.overlap, 'overlap', 0, LOCALIZE_USAGE),
    ...(tolerance === undefined ? {} : { tolerance }),
    questionIndex: values['question-index'] === undefined ? 0 : wholeNumber(values['question-index'], 'question-index', 0, LOCALIZE_USAGE),
    comparator,
    json: values.json,
    ...modelFlags(values, LOCALIZE_USAGE),
  };
}

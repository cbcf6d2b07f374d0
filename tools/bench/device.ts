/**
 * npm run bench:device -- [--shape tiny|100m|llama-7b] [--steps N] [--bundle DIR] [--keep] [--symmetric] [--json]
 *
 * One command that measures a GPU machine: writes a bundle of the shape (default llama-7b: Vicuna-7B and CLIP
 * ViT-L/14 shapes, random 4-bit weights, about 30 s and 4.4 GB here) straight in web-bundle form, opens it with
 * onnxruntime-node's WebGPU EP and prints one table (see device/measureDevice.ts for what is measured); --json
 * prints one record instead. The bundle is removed afterwards unless --keep; --bundle DIR measures one kept earlier.
 */
import { AppError } from '../../src/core/errors.ts';
import { formatBytes } from '../../src/core/format.ts';
import { runCli } from '../../cli/flags/runCli.ts';
import { parseFlags, sharedFlags } from '../../cli/flags/flags.ts';
import { DEVICE_SHAPES, type DeviceShape } from './device/directBundle.ts';
import { measureDevice, type DeviceRecord } from './device/measureDevice.ts';
import { markdownTable } from './engine/benchTable.ts';

const USAGE = `Usage: npm run bench:device -- [--shape tiny|100m|llama-7b] [--steps N] [--bundle DIR] [--keep] [--symmetric] [--json]

  --shape S     the model's shape: tiny (tests), 100m, llama-7b (default; DepictQA's Vicuna-7B and CLIP ViT-L/14)
  --steps N     decode steps timed after the ~1k-position prompt (default 32)
  --bundle DIR  measure a bundle this command wrote earlier (with --keep) instead of writing one
  --keep        keep the written bundle
  --symmetric   write the decoder without zero points (convert --symmetric: 9 programs per layer, not 13)
  --json        one JSON record on stdout instead of the table`;

await runCli('bench:device', USAGE, process.argv.slice(2), async (io) => {
  const flags = parseFlags(
    process.argv.slice(2),
    {
      shape: { type: 'string', default: 'llama-7b' },
      steps: { type: 'string', default: '32' },
      ...sharedFlags('bundle', 'json'),
      keep: { type: 'boolean', default: false },
      symmetric: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const bad = (message: string) => new AppError('BAD_ARGUMENTS', message, { hint: USAGE });
  const shape = flags.shape as DeviceShape;
  if (!DEVICE_SHAPES.includes(shape)) throw bad(`--shape ${flags.shape}: expected ${DEVICE_SHAPES.join(', ')}`);
  const steps = Number(flags.steps);
  if (!Number.isInteger(steps) || steps < 1) throw bad(`--steps ${flags.steps}: expected a whole number ≥ 1`);
  const record = await measureDevice({
    shape,
    steps,
    ...(flags.bundle === undefined ? {} : { bundle: flags.bundle }),
    keep: flags.keep,
    symmetric: flags.symmetric,
    log: (line) => io.err(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
  });
  io.out(flags.json ? `${JSON.stringify(record)}\n` : table(record));
});

function table(r: DeviceRecord): string {
  const f = (value: number, digits = 1) => value.toFixed(digits);
  const rows: string[][] = [
    ['adapter', r.adapter],
    ['shape, variant, decoder form', `${r.shape}, ${r.variant}, ${r.form}`],
    ['bundle written', r.writeSeconds === null ? 'given (--bundle)' : `${formatBytes(r.bundleBytes)} in ${f(r.writeSeconds)} s`],
    ['vision, ms per image (224 × 224)', f(r.visionMs)],
    ['time to first token, three-image comparison (vision included), ms', f(r.ttftMs)],
    [`prefill, tokens/s (${r.context} positions)`, f(r.prefillTokensPerSecond)],
    [`decode, tokens/s at ${r.context} positions`, f(r.decodeTokensPerSecond, 2)],
    ['dispatches per decode step', String(r.dispatchesPerStep)],
    ['host CPU ms per decode step', f(r.hostMsPerStep, 2)],
    ['decoder weights read per token', formatBytes(r.weightBytes)],
    ['copy bandwidth, GB/s', f(r.bandwidthGBs, 2)],
    ['roofline, tokens/s (bandwidth ÷ weight bytes)', f(r.rooflineTokensPerSecond, 2)],
    ['fraction of the roofline reached', `${f(100 * r.rooflineFraction)}%`],
    ['graph capture', r.graphCapture.enabled ? 'on' : `off: ${r.graphCapture.reason}`],
  ];
  return `${markdownTable(['measure', 'value'], rows)}\n`;
}

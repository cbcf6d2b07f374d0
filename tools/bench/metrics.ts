/**
 * npm run bench:metrics
 *
 * Times every metric at 512², 1024² and 4000×3000 on deterministic RGB images, running the core
 * functions in a worker_threads Worker through Comlink (the Node analogue of workers/metrics.worker.ts),
 * and scikit-image's SSIM and PSNR on the same bytes with /usr/bin/python3 in the same run, one after the
 * other so they do not compete for cores. Prints a Markdown table.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricName, MetricsOptions } from '../../src/core/metrics/computeMetrics.ts';
import type { MetricsImage } from '../../src/core/metrics/image.ts';
import { transferImage } from '../../src/engine/metricsApi.ts';
import { synthetic } from '../../src/core/metrics/testing/distortions.ts';
import { startMetricsWorker, type NodeMetricsWorker } from '../../cli/metrics/startMetricsWorker.ts';

const PYTHON = '/usr/bin/python3';
const SKIMAGE_SCRIPT = fileURLToPath(new URL('./metrics_skimage.py', import.meta.url));

interface Size {
  name: string;
  width: number;
  height: number;
  repeats: number;
}
const SIZES: Size[] = [
  { name: '512×512', width: 512, height: 512, repeats: 11 },
  { name: '1024×1024', width: 1024, height: 1024, repeats: 7 },
  { name: '4000×3000', width: 4000, height: 3000, repeats: 3 },
];

type SkimageKey = 'luma' | 'ssim' | 'psnrRgb' | 'psnrLuma';
interface Row {
  label: string;
  metric: MetricName;
  options: MetricsOptions;
  /** scikit-image calls doing the same work (their times are summed). */
  skimage: SkimageKey[];
}
const ROWS: Row[] = [
  { label: 'PSNR (RGB and luma)', metric: 'psnr', options: {}, skimage: ['psnrRgb', 'psnrLuma'] },
  { label: 'SSIM, full resolution, with map', metric: 'ssim', options: { ssimDownsample: false }, skimage: ['ssim'] },
  { label: 'SSIM, ssim.m downsampling (default)', metric: 'ssim', options: {}, skimage: [] },
  { label: 'MS-SSIM', metric: 'msSsim', options: {}, skimage: [] },
  { label: 'GMSD', metric: 'gmsd', options: {}, skimage: [] },
];

interface Measured {
  /** median time inside the worker for this metric plus the shared luma conversion */
  coreMs: number;
  /** median wall time of the Comlink call: transfer in, luma, metric, result back */
  roundTripMs: number;
  value: number | null;
}

type SkimageTimes = Record<string, Record<SkimageKey, { seconds: number; value: number }>>;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const copyOf = (image: MetricsImage): MetricsImage => ({ ...image, data: image.data.slice() });

async function measure(
  worker: NodeMetricsWorker,
  ref: MetricsImage,
  dist: MetricsImage,
  row: Row,
  repeats: number,
): Promise<Measured> {
  const options: MetricsOptions = { ...row.options, metrics: [row.metric] };
  const core: number[] = [];
  const roundTrip: number[] = [];
  let value: number | null = null;
  // One untimed call first: V8 optimises the kernels for this size's loops.
  for (let i = 0; i <= repeats; i++) {
    // Fresh copies each call: the pixels are transferred, which detaches the sender's buffers.
    const a = transferImage(copyOf(ref));
    const b = transferImage(copyOf(dist));
    const start = performance.now();
    const result = await worker.api.compute(a, b, options);
    const elapsed = performance.now() - start;
    if (i === 0) continue;
    roundTrip.push(elapsed);
    core.push(result.timingsMs.luma + result.timingsMs[row.metric]!);
    value = row.metric === 'psnr' ? result.psnrLuma : result[row.metric];
  }
  return { coreMs: median(core), roundTripMs: median(roundTrip), value };
}

type SkimageRun = { times: SkimageTimes } | { error: string };

async function runSkimage(dir: string, cases: object[]): Promise<SkimageRun> {
  const casesPath = join(dir, 'cases.json');
  await writeFile(casesPath, JSON.stringify(cases));
  const child = spawnSync(PYTHON, [SKIMAGE_SCRIPT, casesPath], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.error !== undefined) return { error: `${PYTHON}: ${child.error.message}` };
  if (child.status !== 0) return { error: child.stderr.trim().split('\n').at(-1) ?? `exit ${child.status}` };
  return { times: JSON.parse(child.stdout) as SkimageTimes };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-metrics-'));
  const worker = await startMetricsWorker();
  const loadBefore = loadavg()[0]!;
  const ours = new Map<string, Measured>();
  const skimageTimes: SkimageTimes = {};
  let skimageError: string | undefined;
  try {
    for (const size of SIZES) {
      const ref = synthetic(size.width, size.height, false);
      const dist = synthetic(size.width, size.height, true);
      for (const row of ROWS) {
        ours.set(`${size.name} ${row.label}`, await measure(worker, ref, dist, row, size.repeats));
        process.stderr.write('.');
      }
      // scikit-image right after ours at each size, so a change in the machine's load skews both alike.
      const reference = join(dir, 'ref.rgb');
      const distorted = join(dir, 'dist.rgb');
      await writeFile(reference, ref.data);
      await writeFile(distorted, dist.data);
      const run = await runSkimage(dir, [{ ...size, reference, distorted }]);
      if ('error' in run) skimageError = run.error;
      else Object.assign(skimageTimes, run.times);
      process.stderr.write(` ${size.name}\n`);
    }
    printTable(ours, skimageTimes, skimageError, loadBefore);
  } finally {
    await worker.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function printTable(
  ours: Map<string, Measured>,
  skimage: SkimageTimes,
  skimageError: string | undefined,
  load: number,
): void {
  const cpu = cpus();
  console.log(`Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}; load average ${load.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
  if (skimageError !== undefined) console.log(`scikit-image not measured: ${skimageError}`);
  console.log('');
  console.log(
    '| size | metric | ours in worker: luma + metric (ms) | ours: round trip (ms) | scikit-image: metric (ms) | NumPy luma + scikit-image (ms) | speed-up, luma + metric |',
  );
  console.log('|---|---|--:|--:|--:|--:|--:|');
  for (const size of SIZES) {
    for (const row of ROWS) {
      const m = ours.get(`${size.name} ${row.label}`)!;
      let metricOnly = 'n/a';
      let withLuma = 'n/a';
      let ratio = '';
      const times = skimage[size.name];
      if (times !== undefined && row.skimage.length > 0) {
        const ms = row.skimage.reduce((sum, key) => sum + times[key].seconds * 1000, 0);
        const msWithLuma = ms + times.luma.seconds * 1000;
        metricOnly = ms.toFixed(1);
        withLuma = msWithLuma.toFixed(1);
        ratio = `${(msWithLuma / m.coreMs).toFixed(2)}×`;
        // Both sides must have computed the same number, or the timing compares different work.
        const theirs = row.metric === 'psnr' ? times.psnrLuma.value : times.ssim.value;
        if (m.value !== null && Math.abs(m.value - theirs) > 1e-6) {
          metricOnly += ` (value differs: ${m.value} vs ${theirs})`;
        }
      }
      const cells = [size.name, row.label, m.coreMs.toFixed(1), m.roundTripMs.toFixed(1), metricOnly, withLuma, ratio];
      console.log(`| ${cells.join(' | ')} |`);
    }
  }
}

await main();

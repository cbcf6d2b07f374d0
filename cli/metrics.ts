/**
 * npm run metrics -- [--no-downsample] REF DIST [DIST ...]
 *
 * Prints one JSON line per distorted image with PSNR (RGB and luma), SSIM, MS-SSIM and GMSD against the
 * reference. PSNR of identical images is the string "Infinity" (JSON has no infinity); a metric that
 * does not apply is null and `unavailable` says why. A bad file prints one line on stderr and makes the
 * exit status 1; the other files are still measured.
 */
import { pathToFileURL } from 'node:url';
import { AppError } from '../src/core/errors.ts';
import { computeMetrics, type MetricsResult } from '../src/core/metrics/computeMetrics.ts';
import { decodeImage } from './metrics/decodeImage.ts';

const USAGE = 'usage: npm run metrics -- [--no-downsample] REF DIST [DIST ...]';

export interface CliOutput {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** Runs the command; returns the exit status. */
export async function runMetricsCli(args: readonly string[], out: CliOutput): Promise<number> {
  const downsample = !args.includes('--no-downsample');
  const unknown = args.filter((a) => a.startsWith('-') && a !== '--no-downsample');
  const files = args.filter((a) => !a.startsWith('-'));
  if (args.includes('--help') || args.includes('-h')) {
    out.stdout(USAGE);
    return 0;
  }
  if (unknown.length > 0 || files.length < 2) {
    out.stderr(`metrics: ${unknown.length > 0 ? `unknown option ${unknown[0]}` : 'need a reference and at least one distorted image'}; ${USAGE}`);
    return 2;
  }
  const [referencePath, ...distortedPaths] = files as [string, ...string[]];
  let status = 0;
  try {
    const reference = await decodeImage(referencePath);
    for (const path of distortedPaths) {
      try {
        const distorted = await decodeImage(path);
        const result = computeMetrics(reference, distorted, { ssimDownsample: downsample, ssimMap: false });
        out.stdout(JSON.stringify(toJsonLine(referencePath, path, result)));
      } catch (error) {
        out.stderr(`metrics: ${describe(error)}`);
        status = 1;
      }
    }
  } catch (error) {
    out.stderr(`metrics: ${describe(error)}`);
    return 1;
  }
  return status;
}

function toJsonLine(reference: string, distorted: string, result: MetricsResult): Record<string, unknown> {
  const number = (value: number | null): number | string | null =>
    value === Number.POSITIVE_INFINITY ? 'Infinity' : value;
  return {
    reference,
    distorted,
    width: result.width,
    height: result.height,
    identical: result.identical,
    psnrRgb: number(result.psnrRgb),
    psnrLuma: number(result.psnrLuma),
    ssim: result.ssim,
    ssimDownsampleFactor: result.ssimDownsampleFactor,
    msSsim: result.msSsim,
    gmsd: result.gmsd,
    ...(Object.keys(result.unavailable).length > 0 ? { unavailable: result.unavailable } : {}),
    timingsMs: Object.fromEntries(Object.entries(result.timingsMs).map(([k, v]) => [k, Math.round(v * 100) / 100])),
  };
}

function describe(error: unknown): string {
  if (error instanceof AppError) return `${error.message}${error.hint === undefined ? '' : ` (${error.hint})`}`;
  return error instanceof Error ? error.message : String(error);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runMetricsCli(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
}

/**
 * GPU dispatches and time of ONE decode step of decoder graphs on onnxruntime-node's WebGPU EP. The WebGPU EP
 * logs one `Starting program "…"` line per dispatch at ORT's verbose level; that log is written by native code,
 * so the steps run in a child process (decodeStepChild.ts) whose stderr is read here.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AppError } from '../../../src/core/errors.ts';
import { DEFAULT_DECODE_STEP, median, type DecodeStep } from './decodeStepFeeds.ts';

export interface DecodeStepRequest {
  /** .onnx paths; each one's external data lies beside it. */
  models: string[];
  step: DecodeStep;
  timedRuns: number;
  /** Where the child writes its `DecodeStepResult` as JSON. */
  resultPath: string;
}

export interface DecodeStepResult {
  /** [model][run] */
  stepMs: number[][];
  /** Each model's last-position logits, fp32 little-endian bytes in base64. */
  logits: string[];
}

export const beginMarker = (index: number) => `@@dispatch-count-begin ${index}`;
export const END_MARKER = '@@dispatch-count-end';

export interface DispatchCountOptions {
  step?: DecodeStep;
  /** Timed steps per model after one warm-up (default 9). */
  timedRuns?: number;
  /** Kill the child after this long (default 10 minutes). */
  timeoutMs?: number;
}

export interface DispatchLog {
  /** GPU programs dispatched by one decode step. */
  dispatches: number;
  /** Dispatches by program name (`MatMulNBits`, `SkipLayerNorm`, …). */
  programs: Map<string, number>;
  /** ORT's node placement line, e.g. `All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 29`. */
  placement: string;
}

export interface DecodeStepProfile extends DispatchLog {
  stepMs: number[];
  medianMs: number;
  logits: Float32Array;
}

const PROGRAM_LINE = /Starting program "([^"]*)"/;
const PLACEMENT_LINE = /VerifyEachNodeIsAssignedToAnEp\]\s+(.*(?:placed on|Number of nodes).*)$/;

/** The dispatches between model `index`'s markers, and the placement line before them, of a verbose ORT log. */
export function parseDispatchLog(stderr: string, index = 0): DispatchLog {
  const lines = stderr.split('\n');
  const begin = lines.indexOf(beginMarker(index));
  const end = lines.indexOf(END_MARKER, begin + 1);
  if (begin < 0 || end < 0) throw new AppError('INTERNAL', `the decode step log has no markers for model ${index}`);
  const programs = new Map<string, number>();
  for (const line of lines.slice(begin + 1, end)) {
    const match = PROGRAM_LINE.exec(line);
    if (match === null) continue;
    // "MatMulNBits[4|1|0…]:128,1,1:…" → "MatMulNBits": the cache key after the name encodes shapes and options.
    const name = match[1]!.split(/[[:]/, 1)[0]!;
    programs.set(name, (programs.get(name) ?? 0) + 1);
  }
  if (programs.size === 0) throw new AppError('INTERNAL', `the decode step log has no dispatches between the markers of model ${index}: onnxruntime's verbose log did not reach it`);
  const placement = lines.slice(0, begin).reverse().map((line) => PLACEMENT_LINE.exec(line)?.[1]).find((text) => text !== undefined) ?? 'no placement line';
  return { dispatches: [...programs.values()].reduce((a, b) => a + b, 0), programs, placement };
}

const CHILD = fileURLToPath(new URL('./decodeStepChild.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Dispatches and time of one decode step of each model (timed in turns, in one child process). */
export async function profileDecodeSteps(models: string[], options: DispatchCountOptions = {}): Promise<DecodeStepProfile[]> {
  const dir = await mkdtemp(join(tmpdir(), 'decode-step-'));
  try {
    const request: DecodeStepRequest = { models, step: options.step ?? DEFAULT_DECODE_STEP, timedRuns: options.timedRuns ?? 9, resultPath: join(dir, 'result.json') };
    const { code, stderr } = await runChild([process.execPath, '--import', TSX, CHILD, JSON.stringify(request)], join(dir, 'stderr.log'), options.timeoutMs ?? 600_000);
    return await readProfiles(models.length, code, stderr, request.resultPath);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readProfiles(count: number, code: number | null, stderr: string, resultPath: string): Promise<DecodeStepProfile[]> {
  if (code !== 0) {
    const why = stderr.split('\n').filter((line) => !/^\d{4}-\d\d-\d\d .*\[[IV]:onnxruntime/.test(line) && line.trim() !== '').slice(-12).join('\n');
    const noAdapter = /Failed to get a WebGPU adapter/i.test(stderr);
    throw new AppError(noAdapter ? 'WEBGPU_UNAVAILABLE' : 'MODEL_RUN_FAILED', `a decode step on WebGPU failed (exit ${code}):\n${why}`);
  }
  const result = JSON.parse(await readFile(resultPath, 'utf8')) as DecodeStepResult;
  return Array.from({ length: count }, (_, index) => {
    const bytes = Buffer.from(result.logits[index]!, 'base64');
    const logits = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const stepMs = result.stepMs[index]!;
    return { ...parseDispatchLog(stderr, index), stepMs, medianMs: median(stepMs), logits };
  });
}

/** Dispatches and time of one decode step of one decoder graph. */
export async function countDecodeDispatches(decoderOnnxPath: string, options: DispatchCountOptions = {}): Promise<DecodeStepProfile> {
  const [profile] = await profileDecodeSteps([decoderOnnxPath], options);
  return profile!;
}

/**
 * Runs the child with its stderr in a file, not a pipe: onnxruntime's native log reaches a pipe late and in blocks
 * (after the markers that JavaScript writes at once, and partly not at all once the process exits), while a file
 * gets each line when it is logged.
 */
async function runChild(argv: string[], logPath: string, timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  const log = await open(logPath, 'w');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', log.fd], timeout: timeoutMs });
      child.on('error', reject);
      child.on('close', resolve);
    });
    return { code, stderr: await readFile(logPath, 'utf8') };
  } finally {
    await log.close();
  }
}

/**
 * What `npm run compare` compares: K method folders (and a reference folder, or none) matched by file stem, or a
 * CSV `id,method,path[,reference]`; then every output decoded once, checked against its reference's size and
 * measured (PSNR, SSIM, MS-SSIM, GMSD). The result is written into OUT as `methods.csv` (the outputs that take
 * part, in the eval dataset layout that runShard reads) and `match.json` (missing and skipped outputs, metrics).
 * Both are functions of the inputs alone, so every shard of a run writes the same bytes.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { AppError, serializeError } from '../../src/core/errors.ts';
import { computeMetrics } from '../../src/core/metrics/computeMetrics.ts';
import type { MetricValues } from '../../src/core/methods/methodStats.ts';
import { compareKeys, readDataset, type EvalGroup } from '../eval/datasets.ts';
import { writeFileDurably } from '../fs/durableWrite.ts';
import { decodeImageFile, type DecodedImage } from '../image/decode.ts';

export const MIN_METHODS = 2;
export const MAX_METHODS = 16;

export interface MethodFolder {
  name: string;
  dir: string;
}

export type MethodInput = { kind: 'folders'; reference: string | null; methods: MethodFolder[] } | { kind: 'csv'; path: string };

export interface MatchedOutput {
  id: string;
  method: string;
  path: string;
  reference: string | null;
}

export interface MatchResult {
  methods: string[];
  /** Every id, sorted. */
  ids: string[];
  hasReference: boolean;
  /** Outputs that take part. */
  outputs: MatchedOutput[];
  missing: Array<{ method: string; id: string }>;
  skipped: Array<{ method: string; id: string; reason: string }>;
  /** By id, then method: the output's metrics against the id's reference (references only). */
  metrics: Record<string, Record<string, MetricValues>>;
}

/** Reads the inputs and refuses what cannot be compared before any image is decoded. */
export async function listOutputs(input: MethodInput): Promise<Omit<MatchResult, 'skipped' | 'metrics'> & { skipped: MatchResult['skipped'] }> {
  if (input.kind === 'csv') return fromCsv(input.path);
  const { methods } = input;
  checkMethodNames(methods.map((m) => m.name));
  const reference = input.reference === null ? null : await stems(input.reference, 'the reference folder');
  const byMethod = new Map<string, Map<string, string>>();
  for (const method of methods) byMethod.set(method.name, await stems(method.dir, `method ${method.name}`));
  const ids = reference !== null ? [...reference.keys()] : [...new Set([...byMethod.values()].flatMap((files) => [...files.keys()]))];
  ids.sort(compareKeys);
  const outputs: MatchedOutput[] = [];
  const missing: MatchResult['missing'] = [];
  const skipped: MatchResult['skipped'] = [];
  for (const method of methods) {
    const files = byMethod.get(method.name)!;
    for (const id of ids) {
      const path = files.get(id);
      if (path === undefined) missing.push({ method: method.name, id });
      else outputs.push({ id, method: method.name, path, reference: reference?.get(id) ?? null });
    }
    if (reference !== null) {
      for (const id of files.keys()) if (!reference.has(id)) skipped.push({ method: method.name, id, reason: `no reference image is named ${id}` });
    }
  }
  return { methods: methods.map((m) => m.name), ids, hasReference: reference !== null, outputs, missing, skipped };
}

/** Decodes every output once: a file that does not decode, or whose size is not its reference's, is skipped. */
export async function checkOutputs(listed: Awaited<ReturnType<typeof listOutputs>>): Promise<MatchResult> {
  const skipped = [...listed.skipped];
  const outputs: MatchedOutput[] = [];
  const metrics: MatchResult['metrics'] = {};
  for (const id of listed.ids) {
    const ofId = listed.outputs.filter((output) => output.id === id);
    if (ofId.length === 0) continue;
    const referencePath = ofId[0]!.reference;
    let reference: DecodedImage | null = null;
    if (referencePath !== null) {
      try {
        reference = await decodeImageFile(referencePath);
      } catch (error) {
        for (const output of ofId) skipped.push({ method: output.method, id, reason: `its reference ${referencePath} does not decode: ${reasonOf(error)}` });
        continue;
      }
    }
    for (const output of ofId) {
      let image: DecodedImage;
      try {
        image = await decodeImageFile(output.path);
      } catch (error) {
        skipped.push({ method: output.method, id, reason: `${output.path} does not decode: ${reasonOf(error)}` });
        continue;
      }
      if (reference !== null) {
        if (image.width !== reference.width || image.height !== reference.height) {
          skipped.push({ method: output.method, id, reason: `${output.path} is ${image.width}×${image.height}, its reference ${reference.width}×${reference.height}` });
          continue;
        }
        const result = computeMetrics({ ...reference, channels: 3 }, { ...image, channels: 3 }, { ssimMap: false });
        (metrics[id] ??= {})[output.method] = { psnr: result.psnrRgb ?? result.psnrLuma, ssim: result.ssim, msssim: result.msSsim, gmsd: result.gmsd };
      }
      outputs.push(output);
    }
  }
  skipped.sort((a, b) => compareKeys(a.id, b.id) || compareKeys(a.method, b.method));
  return { ...listed, outputs, skipped, metrics };
}

export const methodsCsvPath = (out: string): string => join(out, 'methods.csv');
export const matchPath = (out: string): string => join(out, 'match.json');

/** Writes `methods.csv` (absolute paths) and `match.json`, each whole or not at all. */
export async function writeMatch(out: string, match: MatchResult): Promise<void> {
  const cell = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const rows = match.outputs.map((o) => [o.id, o.method, o.path, o.reference ?? ''].map(cell).join(','));
  await writeFileDurably(methodsCsvPath(out), `id,method,path,reference\n${rows.join('\n')}\n`);
  await writeFileDurably(matchPath(out), `${JSON.stringify(match, null, 1)}\n`);
}

function checkMethodNames(names: readonly string[]): void {
  if (names.length < MIN_METHODS || names.length > MAX_METHODS) {
    throw new AppError('BAD_ARGUMENTS', `Comparing methods takes ${MIN_METHODS} to ${MAX_METHODS} of them; got ${names.length}${names.length > 0 ? ` (${names.join(', ')})` : ''}.`, {
      hint: names.length > MAX_METHODS ? 'Compare at most 16 methods in one run: split them, keeping your own method in each.' : 'Give each method as --method NAME=DIR.',
    });
  }
  const twice = names.filter((name, k) => names.indexOf(name) !== k);
  if (twice.length > 0) throw new AppError('BAD_ARGUMENTS', `Method ${twice[0]} is named twice.`, { hint: 'Give every method its own name.' });
  const bad = names.find((name) => name === '' || /[\s,"/\\]/.test(name));
  if (bad !== undefined) throw new AppError('BAD_ARGUMENTS', `"${bad}" is not a method name: no spaces, commas, quotes or slashes.`, { hint: 'Name methods like swinir, real-esrgan or ours_v2.' });
}

/** The regular files of `dir` by stem (the name without its last extension); two files of one stem are refused. */
async function stems(dir: string, what: string): Promise<Map<string, string>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new AppError('FILE_NOT_FOUND', `${what}: cannot read the folder ${dir}.`, { hint: 'Give a folder of images.', cause });
  }
  const found = new Map<string, string>();
  const clash = new Map<string, string[]>();
  for (const name of names.sort(compareKeys)) {
    if (name.startsWith('.')) continue;
    const path = resolve(dir, name);
    if (!(await stat(path)).isFile()) continue;
    const stem = extname(name) === '' ? name : name.slice(0, -extname(name).length);
    if (found.has(stem)) clash.set(stem, [...(clash.get(stem) ?? [found.get(stem)!.slice(resolve(dir).length + 1)]), name]);
    else found.set(stem, path);
  }
  if (clash.size > 0) {
    const [stem, files] = [...clash][0]!;
    throw new AppError('BAD_ARGUMENTS', `${what} has ${clash.size} file stem(s) used twice, first "${stem}": ${files.join(', ')} in ${dir}.`, {
      hint: 'Files are matched across folders by their name without the extension: keep one file per name.',
    });
  }
  if (found.size === 0) throw new AppError('BAD_ARGUMENTS', `${what}: ${dir} holds no files.`, { hint: 'Give a folder of images.' });
  return found;
}

function fromCsv(path: string): Awaited<ReturnType<typeof listOutputs>> {
  const dataset = readDataset(path);
  if (dataset.layout !== 'methods') {
    throw new AppError('BAD_ARGUMENTS', `${path} is a ${dataset.layout} dataset, not a methods CSV "id,method,path[,reference]".`, { hint: 'Give its header the columns id, method, path and, optionally, reference.' });
  }
  const methods = [...new Set(dataset.groups.flatMap((group) => group.images.map((image) => image.name)))].sort(compareKeys);
  checkMethodNames(methods);
  const hasReference = dataset.groups.some((group) => group.reference !== null);
  const without = hasReference ? dataset.groups.find((group) => group.reference === null) : undefined;
  if (without !== undefined) {
    throw new AppError('BAD_ARGUMENTS', `${path}: id ${without.key} has no reference, others do.`, { hint: 'Give every id a reference, or none.' });
  }
  const outputs = dataset.groups.flatMap((group: EvalGroup) => group.images.map((image) => ({ id: group.key, method: image.name, path: image.path, reference: group.reference })));
  const missing = methods.flatMap((method) => dataset.groups.filter((group) => !group.images.some((image) => image.name === method)).map((group) => ({ method, id: group.key })));
  return { methods, ids: dataset.groups.map((group) => group.key), hasReference, outputs, missing, skipped: [] };
}

function reasonOf(error: unknown): string {
  return serializeError(error).message;
}

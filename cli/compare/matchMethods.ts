/**
 * What `npm run compare` compares: K method folders (and a reference folder, or none) matched by file stem, or a
 * CSV `id,method,path[,reference]`; then every output decoded once, checked against its reference's size and
 * measured (PSNR, SSIM, MS-SSIM, GMSD). The result is written into OUT as `methods.csv` (the outputs that take
 * part, in the eval dataset layout that runShard reads) and `match.json` (missing and skipped outputs, metrics).
 * Both are functions of the inputs alone, so every shard of a run writes the same bytes.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AppError, serializeError } from '../../src/core/errors.ts';
import { computeMetrics } from '../../src/core/metrics/computeMetrics.ts';
import { checkMethodNames, matchFolders, type FolderListing } from '../../src/core/methods/matchFolders.ts';
import type { MetricValues } from '../../src/core/methods/methodStats.ts';
import { compareKeys, readDataset, type EvalGroup } from '../eval/datasets.ts';
import { writeFileDurably } from '../fs/durableWrite.ts';
import { decodeImageFile, type DecodedImage } from '../image/decode.ts';


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
  const reference = input.reference === null ? null : await listFolder(input.reference, 'reference');
  const listings: Array<FolderListing<string>> = [];
  for (const method of methods) listings.push(await listFolder(method.dir, method.name));
  const matched = matchFolders(listings, reference);
  const outputs = matched.outputs.map(({ id, method, file, reference: ref }) => ({ id, method, path: file, reference: ref }));
  return { methods: matched.methods, ids: matched.ids, hasReference: reference !== null, outputs, missing: matched.missing, skipped: matched.skipped };
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

/** A folder's regular files (absolute paths), for matching by stem. */
async function listFolder(dir: string, name: string): Promise<FolderListing<string>> {
  let names: string[];
  const what = name === 'reference' ? 'the reference folder' : `method ${name}`;
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new AppError('FILE_NOT_FOUND', `${what}: cannot read the folder ${dir}.`, { hint: 'Give a folder of images.', cause });
  }
  const files: Array<{ name: string; file: string }> = [];
  for (const entry of names) {
    const path = resolve(dir, entry);
    if (!entry.startsWith('.') && (await stat(path)).isFile()) files.push({ name: entry, file: path });
  }
  return { name, where: dir, files };
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

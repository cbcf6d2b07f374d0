/**
 * IQA datasets as reference groups: the images of one reference (its distorted versions) are compared with
 * each other, and their scores are correlated with the MOS within the group, as DepictQA evaluates.
 * Layouts read (paths in the files are relative to the dataset file):
 * - generic CSV `reference,image,mos` (an empty reference: a no-reference group per file-less key "");
 * - KADID-10k `dmos.csv` (`dist_img,ref_img,dmos,var`; images under `images/` beside it);
 * - TID2013 `mos_with_names.txt` ("mos name" lines; `distorted_images/i01_01_1.bmp` of `reference_images/I01.BMP`);
 * - BAPPS-style 2AFC triplets CSV `reference,a,b,human_prefers_a`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { AppError } from '../../src/core/errors.ts';
import { splitCsvLine } from '../../src/core/csv.ts';

export type DatasetLayout = 'csv' | 'kadid10k' | 'tid2013' | 'triplets' | 'methods';

export interface EvalImage {
  /** As the dataset file names it: the key of the image in journals and summaries. */
  name: string;
  /** Absolute path. */
  path: string;
  /** Higher is better; NaN for images of a triplet group. */
  mos: number;
}

/** One human judgement of a 2AFC triplet: indices into the group's images. */
export interface EvalTriplet {
  a: number;
  b: number;
  /** Fraction of people who preferred A, in [0, 1]. */
  humanPrefersA: number;
}

export interface EvalGroup {
  /** The reference's name as the dataset writes it; "" for the no-reference images of a CSV. */
  key: string;
  /** Absolute path of the reference image, or null for no-reference comparisons. */
  reference: string | null;
  images: EvalImage[];
  /** Triplet layouts only: the pairs to compare, with the human answer. */
  triplets?: EvalTriplet[];
}

export interface EvalDataset {
  layout: DatasetLayout;
  /** Absolute path of the dataset file. */
  path: string;
  /** Sorted by key. */
  groups: EvalGroup[];
}

const ACCEPTED =
  'generic CSV "reference,image,mos"; methods CSV "id,method,path[,reference]"; KADID-10k dmos.csv "dist_img,ref_img,dmos,var"; TID2013 mos_with_names.txt ("mos name" lines); ' +
  '2AFC triplets CSV "reference,a,b,human_prefers_a"';

export function readDataset(file: string): EvalDataset {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AppError('FILE_NOT_FOUND', `${file}: cannot read the dataset (${(cause as NodeJS.ErrnoException).code ?? 'error'}).`, {
      hint: 'Pass the dataset file (a CSV, KADID-10k dmos.csv or TID2013 mos_with_names.txt) with --dataset.',
      cause,
    });
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) throw layoutError(file, 'the file is empty');
  const dir = dirname(path);
  const header = splitCsvLine(lines[0]!).map((cell) => cell.trim().toLowerCase());
  const has = (...names: string[]) => names.every((name) => header.includes(name));

  if (has('dist_img', 'ref_img', 'dmos')) return kadid(path, header, lines.slice(1));
  if (has('reference', 'a', 'b', 'human_prefers_a')) return triplets(path, header, lines.slice(1));
  if (has('reference', 'image', 'mos')) return generic(path, header, lines.slice(1));
  if (has('id', 'method', 'path')) return methods(path, header, lines.slice(1));
  if (/^\s*[-+\d.eE]+\s+\S+\s*$/.test(lines[0]!)) return tid2013(path, lines, dir);
  throw layoutError(file, `found the columns ${header.map((h) => `"${h}"`).join(', ')}`);
}

function generic(path: string, header: string[], rows: string[]): EvalDataset {
  const column = columnReader(path, header);
  const entries = rows.map((row, k) => {
    const cells = splitCsvLine(row);
    return { reference: column(cells, 'reference', k), image: column(cells, 'image', k), mos: number(path, column(cells, 'mos', k), k + 2) };
  });
  const dir = dirname(path);
  return build(path, 'csv', entries, (name) => resolveFile(dir, name, path), (name) => (name === '' ? null : resolveFile(dir, name, path)));
}

/**
 * Method comparison, `id,method,path[,reference]`: one group per test image id, whose images are the methods'
 * outputs for it, named by method. The reference, when given, must be the same on every row of an id.
 */
function methods(path: string, header: string[], rows: string[]): EvalDataset {
  const column = columnReader(path, header);
  const dir = dirname(path);
  const withReference = header.includes('reference');
  const groups = new Map<string, EvalGroup>();
  rows.forEach((row, k) => {
    const cells = splitCsvLine(row);
    const id = column(cells, 'id', k);
    const method = column(cells, 'method', k);
    const reference = withReference ? column(cells, 'reference', k) : '';
    if (id === '' || method === '') throw new AppError('BAD_ARGUMENTS', `${path}: line ${k + 2} has an empty id or method.`, { hint: 'Name every row’s id and method.' });
    const referencePath = reference === '' ? null : resolveFile(dir, reference, path);
    const group = groups.get(id) ?? { key: id, reference: referencePath, images: [] };
    groups.set(id, group);
    if (group.reference !== referencePath) {
      throw new AppError('BAD_ARGUMENTS', `${path}: id ${id} has two references (line ${k + 2}).`, { hint: 'Give every row of an id the same reference, or none.' });
    }
    if (group.images.some((known) => known.name === method)) {
      throw new AppError('BAD_ARGUMENTS', `${path}: method ${method} is listed twice for id ${id} (line ${k + 2}).`, { hint: 'List each method once per id.' });
    }
    group.images.push({ name: method, path: resolveFile(dir, column(cells, 'path', k), path), mos: NaN });
  });
  for (const group of groups.values()) group.images.sort((a, b) => compareKeys(a.name, b.name));
  return { layout: 'methods', path, groups: [...groups.values()].sort((a, b) => compareKeys(a.key, b.key)) };
}

function kadid(path: string, header: string[], rows: string[]): EvalDataset {
  const column = columnReader(path, header);
  const entries = rows.map((row, k) => {
    const cells = splitCsvLine(row);
    return { reference: column(cells, 'ref_img', k), image: column(cells, 'dist_img', k), mos: number(path, column(cells, 'dmos', k), k + 2) };
  });
  // KADID-10k ships dmos.csv beside images/, which holds references and distorted images alike.
  const dir = dirname(path);
  const images = existsSync(join(dir, 'images')) ? join(dir, 'images') : dir;
  return build(path, 'kadid10k', entries, (name) => resolveFile(images, name, path), (name) => resolveFile(images, name, path));
}

/**
 * TID2013: `i01_01_1.bmp` is reference 01, distortion type 01, level 1, and its reference is `I01.BMP`
 * (the part before the first underscore, upper-cased, + ".BMP"), under reference_images/. The archive's
 * names are not all in one case, so files are matched without regard to case.
 */
export function tid2013ReferenceName(distorted: string): string {
  const stem = basename(distorted).split('_')[0]!;
  return `${stem.toUpperCase()}.BMP`;
}

function tid2013(path: string, lines: string[], dir: string): EvalDataset {
  const entries = lines.map((line, k) => {
    const parts = line.trim().split(/\s+/);
    if (parts.length !== 2 || !/^i\d+_/i.test(parts[1]!)) {
      throw new AppError('BAD_ARGUMENTS', `${path}: line ${k + 1} is "${line.trim()}", not "mos name" of TID2013 (e.g. "5.51429 i01_01_1.bmp").`, {
        hint: `Accepted layouts: ${ACCEPTED}.`,
      });
    }
    return { reference: tid2013ReferenceName(parts[1]!), image: parts[1]!, mos: number(path, parts[0]!, k + 1) };
  });
  const distortedDir = existsSync(join(dir, 'distorted_images')) ? join(dir, 'distorted_images') : dir;
  const referenceDir = existsSync(join(dir, 'reference_images')) ? join(dir, 'reference_images') : dir;
  const distorted = caseInsensitiveResolver(distortedDir, path);
  const references = caseInsensitiveResolver(referenceDir, path);
  return build(path, 'tid2013', entries, distorted, references);
}

function triplets(path: string, header: string[], rows: string[]): EvalDataset {
  const column = columnReader(path, header);
  const dir = dirname(path);
  const byReference = new Map<string, EvalGroup>();
  rows.forEach((row, k) => {
    const cells = splitCsvLine(row);
    const reference = column(cells, 'reference', k);
    const h = number(path, column(cells, 'human_prefers_a', k), k + 2);
    if (!(h >= 0 && h <= 1)) {
      throw new AppError('BAD_ARGUMENTS', `${path}: line ${k + 2} has human_prefers_a ${h}; expected a fraction in [0, 1].`, {
        hint: 'Write the share of people who preferred image a (BAPPS judge files hold it).',
      });
    }
    const group = byReference.get(reference) ?? { key: reference, reference: reference === '' ? null : resolveFile(dir, reference, path), images: [], triplets: [] };
    byReference.set(reference, group);
    const indexOf = (name: string): number => {
      let index = group.images.findIndex((image) => image.name === name);
      if (index < 0) index = group.images.push({ name, path: resolveFile(dir, name, path), mos: NaN }) - 1;
      return index;
    };
    const a = indexOf(column(cells, 'a', k));
    const b = indexOf(column(cells, 'b', k));
    if (a === b) throw new AppError('BAD_ARGUMENTS', `${path}: line ${k + 2} compares an image with itself.`, { hint: 'Give two different images a and b.' });
    group.triplets!.push({ a, b, humanPrefersA: h });
  });
  return { layout: 'triplets', path, groups: [...byReference.values()].sort((x, y) => compareKeys(x.key, y.key)) };
}

function build(
  path: string,
  layout: DatasetLayout,
  entries: Array<{ reference: string; image: string; mos: number }>,
  imagePath: (name: string) => string,
  referencePath: (name: string) => string | null,
): EvalDataset {
  const groups = new Map<string, EvalGroup>();
  for (const { reference, image, mos } of entries) {
    const group = groups.get(reference) ?? { key: reference, reference: referencePath(reference), images: [] };
    groups.set(reference, group);
    if (group.images.some((known) => known.name === image)) {
      throw new AppError('BAD_ARGUMENTS', `${path}: image ${image} is listed twice for reference "${reference}".`, { hint: 'List each image once per reference.' });
    }
    group.images.push({ name: image, path: imagePath(image), mos });
  }
  for (const group of groups.values()) group.images.sort((a, b) => compareKeys(a.name, b.name));
  return { layout, path, groups: [...groups.values()].sort((a, b) => compareKeys(a.key, b.key)) };
}

/** Code-unit order, the same on every machine and locale. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function resolveFile(dir: string, name: string, datasetPath: string): string {
  const path = isAbsolute(name) ? name : join(dir, name);
  if (!existsSync(path)) {
    throw new AppError('FILE_NOT_FOUND', `${datasetPath} lists ${name}, but ${path} does not exist.`, {
      hint: 'Paths in the dataset file are relative to its folder; check that the images were unpacked beside it.',
    });
  }
  return path;
}

function caseInsensitiveResolver(dir: string, datasetPath: string): (name: string) => string {
  const byLower = new Map(readdirSync(dir).map((entry) => [entry.toLowerCase(), entry]));
  return (name) => {
    const found = byLower.get(name.toLowerCase());
    return found === undefined ? resolveFile(dir, name, datasetPath) : join(dir, found);
  };
}

function columnReader(path: string, header: string[]) {
  return (cells: string[], name: string, k: number): string => {
    const value = cells[header.indexOf(name)];
    if (value === undefined) {
      throw new AppError('BAD_ARGUMENTS', `${path}: line ${k + 2} has ${cells.length} cells; column "${name}" is missing.`, {
        hint: 'Give every row a value for each column of the header.',
      });
    }
    return value.trim();
  };
}

function number(path: string, text: string, line: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new AppError('BAD_ARGUMENTS', `${path}: line ${line} has "${text}" where a number belongs.`, { hint: 'Scores must be plain decimal numbers.' });
  }
  return value;
}

function layoutError(file: string, found: string): AppError {
  return new AppError('BAD_ARGUMENTS', `${file}: not a dataset layout this tool reads (${found}).`, { hint: `Accepted layouts: ${ACCEPTED}.` });
}

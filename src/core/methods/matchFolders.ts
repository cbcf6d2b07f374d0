/**
 * How K methods' outputs are matched across folders (`npm run compare`'s folders, the page's folder of folders):
 * by file stem, the name without its last extension (`0801.png` in every folder). The ids are the reference
 * folder's stems, or every stem seen without references. Refused before any work: fewer than 2 or more than 16
 * methods, a method named twice or badly, and two files of one stem in a folder. An id a method lacks is
 * `missing`; an output with no reference of its name is `skipped`.
 */
import { AppError } from '../errors.ts';

export const MIN_METHODS = 2;
export const MAX_METHODS = 16;

/** The names of the reference folder that the page takes as such without being told. */
const REFERENCE_NAMES = new Set(['ref', 'refs', 'reference', 'references', 'gt', 'hr', 'hq', 'groundtruth', 'ground_truth', 'ground-truth', 'original', 'originals']);

export interface FolderListing<F> {
  name: string;
  /** Where the folder is, for messages (its path); its name when absent. */
  where?: string;
  /** The folder's files with their names (not paths). */
  files: ReadonlyArray<{ name: string; file: F }>;
}

export interface MatchedFile<F> {
  id: string;
  method: string;
  file: F;
  reference: F | null;
}

export interface FolderMatch<F> {
  methods: string[];
  /** Every id, sorted as `compareIds` sorts. */
  ids: string[];
  outputs: Array<MatchedFile<F>>;
  missing: Array<{ method: string; id: string }>;
  skipped: Array<{ method: string; id: string; reason: string }>;
}

export function stemOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? name : name.slice(0, dot);
}

/** By code point, as the CLI and its journals order ids, so that the page and `npm run compare` agree. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The folder that holds the references, by its name (ref, gt, hr, …), or null. */
export function guessReferenceFolder(names: readonly string[]): string | null {
  return names.find((name) => REFERENCE_NAMES.has(name.toLowerCase())) ?? null;
}

export function checkMethodNames(names: readonly string[], hint = 'Give each method as --method NAME=DIR.'): void {
  if (names.length < MIN_METHODS || names.length > MAX_METHODS) {
    throw new AppError('BAD_ARGUMENTS', `Comparing methods takes ${MIN_METHODS} to ${MAX_METHODS} of them; got ${names.length}${names.length > 0 ? ` (${names.join(', ')})` : ''}.`, {
      hint: names.length > MAX_METHODS ? 'Compare at most 16 methods in one run: split them, keeping your own method in each.' : hint,
    });
  }
  const twice = names.filter((name, k) => names.indexOf(name) !== k);
  if (twice.length > 0) throw new AppError('BAD_ARGUMENTS', `Method ${twice[0]} is named twice.`, { hint: 'Give every method its own name.' });
  const bad = names.find((name) => name === '' || /[\s,"/\\]/.test(name));
  if (bad !== undefined) throw new AppError('BAD_ARGUMENTS', `"${bad}" is not a method name: no spaces, commas, quotes or slashes.`, { hint: 'Name methods like swinir, real-esrgan or ours_v2.' });
}

/** One folder's files by stem; two files of one stem are refused, naming them. */
export function filesByStem<F>(folder: FolderListing<F>, what: string): Map<string, F> {
  const where = folder.where ?? folder.name;
  const found = new Map<string, { name: string; file: F }>();
  const clash = new Map<string, string[]>();
  for (const entry of [...folder.files].sort((a, b) => compareIds(a.name, b.name))) {
    if (entry.name.startsWith('.')) continue;
    const stem = stemOf(entry.name);
    const first = found.get(stem);
    if (first !== undefined) clash.set(stem, [...(clash.get(stem) ?? [first.name]), entry.name]);
    else found.set(stem, entry);
  }
  if (clash.size > 0) {
    const [stem, names] = [...clash][0]!;
    throw new AppError('BAD_ARGUMENTS', `${what} has ${clash.size} file stem(s) used twice, first "${stem}": ${names.join(', ')} in ${where}.`, {
      hint: 'Files are matched across folders by their name without the extension: keep one file per name.',
    });
  }
  if (found.size === 0) throw new AppError('BAD_ARGUMENTS', `${what}: ${where} holds no files.`, { hint: 'Give a folder of images.' });
  return new Map([...found].map(([stem, entry]) => [stem, entry.file]));
}

export function matchFolders<F>(methods: ReadonlyArray<FolderListing<F>>, reference: FolderListing<F> | null, hint?: string): FolderMatch<F> {
  checkMethodNames(methods.map((m) => m.name), hint);
  const references = reference === null ? null : filesByStem(reference, 'the reference folder');
  const byMethod = new Map(methods.map((method) => [method.name, filesByStem(method, `method ${method.name}`)]));
  const ids = references !== null ? [...references.keys()] : [...new Set([...byMethod.values()].flatMap((files) => [...files.keys()]))];
  ids.sort(compareIds);
  const outputs: Array<MatchedFile<F>> = [];
  const missing: FolderMatch<F>['missing'] = [];
  const skipped: FolderMatch<F>['skipped'] = [];
  for (const method of methods) {
    const files = byMethod.get(method.name)!;
    for (const id of ids) {
      const file = files.get(id);
      if (file === undefined) missing.push({ method: method.name, id });
      else outputs.push({ id, method: method.name, file, reference: references?.get(id) ?? null });
    }
    if (references !== null) {
      for (const id of files.keys()) if (!references.has(id)) skipped.push({ method: method.name, id, reason: `no reference image is named ${id}` });
    }
  }
  return { methods: methods.map((m) => m.name), ids, outputs, missing, skipped };
}

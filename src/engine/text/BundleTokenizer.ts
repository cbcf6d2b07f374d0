import { Tokenizer } from '@huggingface/tokenizers';
import type { BundleFiles } from '../../core/bundle/bundleFiles.ts';
import { AppError } from '../../core/errors.ts';
import { createTextTokenizer, type TextTokenizer } from '../../core/prompt/textTokenizer.ts';

/**
 * The bundle's tokenizer as DepictQA runs it. tokenizer.json (LLaMA's vocabulary and merges in the `tokenizers`
 * format, with the pipeline of transformers 4.35's fast LlamaTokenizer) is run by @huggingface/tokenizers, the
 * tokenizer half of transformers.js without its model code, with its `Prepend("▁")` step left out: where the
 * dummy prefix goes is the slow tokenizer's rule (`encodeTextChunk`), for the checkpoint's `legacy` flag, which
 * tokenizer_config.json carries.
 */
export async function loadBundleTokenizer(files: BundleFiles): Promise<TextTokenizer> {
  const listed = files.manifest.tokenizer.files;
  const json = await readJson(files, listed, 'tokenizer.json');
  const config = await readJson(files, listed, 'tokenizer_config.json');
  const invalid = (problem: string, cause?: unknown) =>
    new AppError('TOKENIZER_INVALID', `${files.label}: tokenizer.json ${problem}`, { hint: 'Convert the model again with `npm run convert`.', cause });
  const raw = withoutDummyPrefix(json);
  if (raw === null) throw invalid('does not have the LLaMA normaliser (Prepend "▁", Replace " " with "▁") that the converter writes');
  const vocab = (json as { model?: { vocab?: unknown } }).model?.vocab;
  if (typeof vocab !== 'object' || vocab === null) throw invalid('has no model.vocab');
  const pieces: string[] = [];
  for (const [piece, id] of Object.entries(vocab)) {
    if (typeof id === 'number' && Number.isInteger(id) && id >= 0) pieces[id] = piece;
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(raw, config);
  } catch (cause) {
    throw invalid(`could not be read: ${String(cause)}`, cause);
  }
  // transformers 4.35 reads a missing flag as true (with a warning).
  const legacy = (config as { legacy?: unknown }).legacy !== false;
  return createTextTokenizer((text) => tokenizer.encode(text, { add_special_tokens: false }).ids, (id) => pieces[id], legacy);
}

const PREPEND = { type: 'Prepend', prepend: '▁' };
const REPLACE = { type: 'Replace', pattern: { String: ' ' }, content: '▁' };

/** The same tokenizer.json with the dummy prefix left out of its normaliser, or null when it is another form. */
function withoutDummyPrefix(json: object): object | null {
  const normalizer = (json as { normalizer?: { type?: unknown; normalizers?: unknown } }).normalizer;
  const steps = normalizer?.type === 'Sequence' && Array.isArray(normalizer.normalizers) ? (normalizer.normalizers as unknown[]) : null;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (steps?.length !== 2 || !same(steps[0], PREPEND) || !same(steps[1], REPLACE)) return null;
  return { ...json, normalizer: REPLACE };
}

async function readJson(files: BundleFiles, listed: readonly string[], name: string): Promise<object> {
  const path = listed.find((file) => file === name || file.endsWith(`/${name}`));
  if (path === undefined) {
    throw new AppError('TOKENIZER_INVALID', `${files.label}: the manifest lists no ${name}`, {
      hint: 'Convert the model again with `npm run convert`.',
    });
  }
  const bytes = await files.read(path);
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof value !== 'object' || value === null) throw new Error('not a JSON object');
    return value;
  } catch (cause) {
    throw new AppError('TOKENIZER_INVALID', `${files.label}: ${path} is not valid JSON`, { hint: 'Convert the model again.', cause });
  }
}

import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '../../src/core/errors.ts';
import { parseTokenizerJson } from './readTokenizerJson.ts';
import { readTokenizerModel } from './readTokenizerModel.ts';
import {
  buildTokenizerJson,
  serializeTokenizerJson,
  specialTokens,
  vocabularyFromModel,
  type BpeVocabulary,
} from './tokenizerJson.ts';

/** Vicuna-7B-v1.5's context length (its tokenizer_config.json and config.json). */
export const DEFAULT_MODEL_MAX_LENGTH = 4096;
const MAX_JSON_BYTES = 64 * 1024 * 1024;

export interface ConvertedTokenizer {
  /** Files written into the output folder, as the bundle manifest lists them. */
  files: ['tokenizer.json', 'tokenizer_config.json'];
  /** Which kind of file was read. */
  source: 'tokenizer.model' | 'tokenizer.json';
  /** The file that was read (the input itself, or the one found in the input folder). */
  sourceFile: string;
  vocabSize: number;
  mergeCount: number;
  /** The slow tokenizer's `legacy` flag the bundle carries: the input's tokenizer_config.json's, else true. */
  legacy: boolean;
  /** Things the user may want to know (settings overridden, files ignored). */
  notes: string[];
}

export interface ConvertTokenizerOptions {
  /** Overrides the context length; otherwise taken from a `tokenizer_config.json` beside the input, else 4096. */
  modelMaxLength?: number;
}

/** The bundle's tokenizer_config.json: what transformers.js reads besides tokenizer.json. */
export function bundleTokenizerConfig(vocabulary: BpeVocabulary, modelMaxLength: number, legacy: boolean): Record<string, unknown> {
  const { unk, bos, eos } = specialTokens(vocabulary);
  return {
    tokenizer_class: 'LlamaTokenizer',
    bos_token: bos,
    eos_token: eos,
    unk_token: unk,
    pad_token: null,
    add_bos_token: true,
    add_eos_token: false,
    // The checkpoint's own flag, which DepictQA's slow LlamaTokenizer (transformers 4.35) honours: with false, a
    // piece after a special token gets no ▁. The engine reads it from here; transformers.js reads tokenizer.json
    // alone, whose pipeline is the fast tokenizer's of transformers 4.35 (every piece prefixed).
    legacy,
    clean_up_tokenization_spaces: false,
    model_max_length: modelMaxLength,
    padding_side: 'right',
  };
}

async function findInput(path: string): Promise<{ file: string; kind: 'model' | 'json' }> {
  const info = await stat(path).catch((error: unknown) => {
    throw new AppError('FILE_NOT_FOUND', `${path}: file not found`, {
      hint: 'Give the path of tokenizer.model (or tokenizer.json), or of the folder that holds it.',
      cause: error,
    });
  });
  if (info.isDirectory()) {
    for (const [name, kind] of [['tokenizer.model', 'model'], ['tokenizer.json', 'json']] as const) {
      const file = join(path, name);
      if ((await stat(file).catch(() => undefined))?.isFile() === true) return { file, kind };
    }
    throw new AppError('FILE_NOT_FOUND', `${path}: holds neither tokenizer.model nor tokenizer.json`, {
      hint: 'Point at the Vicuna folder that holds tokenizer.model.',
    });
  }
  // A tokenizer.json starts with "{"; a SentencePiece model with the tag of its first piece (0x0a).
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const text = new TextDecoder().decode(head.subarray(0, bytesRead)).trimStart();
    return { file: path, kind: text.startsWith('{') ? 'json' : 'model' };
  } finally {
    await handle.close();
  }
}

interface SiblingSettings {
  /** When it gives a real one. */
  modelMaxLength?: number;
  legacy: boolean;
}

/** Context length and `legacy` from a tokenizer_config.json next to the input. */
async function siblingSettings(file: string, notes: string[]): Promise<SiblingSettings> {
  const configPath = join(dirname(file), 'tokenizer_config.json');
  const fallback = (why: string): SiblingSettings => {
    notes.push(`${configPath}: ${why}; legacy=true, as transformers 4.35 reads a missing flag`);
    return { legacy: true };
  };
  const text = await readFile(configPath, 'utf8').catch(() => undefined);
  if (text === undefined) return fallback('not found');
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return fallback('not JSON, ignored');
  }
  if (typeof config !== 'object' || config === null) return fallback('not a JSON object, ignored');
  const { model_max_length: maxLength, legacy } = config as { model_max_length?: unknown; legacy?: unknown };
  if (typeof legacy !== 'boolean') return { ...fallback('sets no legacy flag'), ...usableMaxLength(maxLength) };
  notes.push(
    legacy
      ? `${configPath}: legacy=true: every piece after a special token gets the ▁ prefix`
      : `${configPath}: legacy=false, as Vicuna's: the text after a special token gets no ▁ prefix, as transformers 4.35 tokenizes it`,
  );
  return { legacy, ...usableMaxLength(maxLength) };
}

function usableMaxLength(maxLength: unknown): { modelMaxLength?: number } {
  // transformers writes 1e30 when a tokenizer has no limit.
  const usable = typeof maxLength === 'number' && Number.isInteger(maxLength) && maxLength > 0 && maxLength <= 1 << 20;
  return usable ? { modelMaxLength: maxLength } : {};
}

/**
 * Converts Vicuna's `tokenizer.model` (or a LLaMA `tokenizer.json`, whose vocabulary and merges are kept and
 * whose pipeline is rebuilt) into the bundle's `tokenizer.json` + `tokenizer_config.json` in `outDir`.
 * `inputPath` may be the file or the folder that holds it. Bad input is TOKENIZER_INVALID naming the file.
 */
export async function convertTokenizer(
  inputPath: string,
  outDir: string,
  options: ConvertTokenizerOptions = {},
): Promise<ConvertedTokenizer> {
  const { file, kind } = await findInput(inputPath);
  const notes: string[] = [];
  let vocabulary: BpeVocabulary;
  if (kind === 'model') {
    vocabulary = vocabularyFromModel(await readTokenizerModel(file));
  } else {
    const size = (await stat(file)).size;
    if (size > MAX_JSON_BYTES) {
      throw new AppError('TOKENIZER_INVALID', `${file}: ${size} bytes is far too large for a tokenizer.json`);
    }
    const reading = parseTokenizerJson(await readFile(file, 'utf8'), file);
    vocabulary = reading.vocabulary;
    notes.push(...reading.notes);
  }
  const sibling = await siblingSettings(file, notes);
  const modelMaxLength = options.modelMaxLength ?? sibling.modelMaxLength ?? DEFAULT_MODEL_MAX_LENGTH;

  await writeFile(join(outDir, 'tokenizer.json'), serializeTokenizerJson(buildTokenizerJson(vocabulary)));
  await writeFile(
    join(outDir, 'tokenizer_config.json'),
    `${JSON.stringify(bundleTokenizerConfig(vocabulary, modelMaxLength, sibling.legacy), null, 2)}\n`,
  );
  return {
    files: ['tokenizer.json', 'tokenizer_config.json'],
    source: kind === 'model' ? 'tokenizer.model' : 'tokenizer.json',
    sourceFile: file,
    vocabSize: vocabulary.vocab.length,
    mergeCount: vocabulary.merges.length,
    legacy: sibling.legacy,
    notes,
  };
}

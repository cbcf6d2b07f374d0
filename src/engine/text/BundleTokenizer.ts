import { Tokenizer } from '@huggingface/tokenizers';
import type { BundleFiles } from '../../core/bundle/bundleFiles.ts';
import { AppError } from '../../core/errors.ts';
import type { PieceEncoder } from '../../core/prompt/specialTokens.ts';

/**
 * The bundle's tokenizer (tokenizer.json, converted legacy-exact from Vicuna's tokenizer.model) through
 * @huggingface/tokenizers: the tokenizer half of transformers.js without its model code and its own copy of
 * onnxruntime-web. Special tokens in prompts are split out by `encodeTextChunk`; this only encodes plain pieces.
 */
export interface TextTokenizer {
  /** One piece of plain text → ids, with SentencePiece's dummy prefix and no BOS. */
  encodePiece: PieceEncoder;
  /** ids → text, special tokens (`</s>`) dropped. */
  decode(ids: readonly number[]): string;
}

export async function loadBundleTokenizer(files: BundleFiles): Promise<TextTokenizer> {
  const listed = files.manifest.tokenizer.files;
  const json = await readJson(files, listed, 'tokenizer.json');
  const config = await readJson(files, listed, 'tokenizer_config.json');
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, config);
  } catch (cause) {
    throw new AppError('TOKENIZER_INVALID', `${files.label}: tokenizer.json could not be read: ${String(cause)}`, {
      hint: 'Convert the model again with `npm run convert`.',
      cause,
    });
  }
  return {
    encodePiece: (piece) => tokenizer.encode(piece, { add_special_tokens: false }).ids,
    decode: (ids) => (ids.length === 0 ? '' : tokenizer.decode([...ids], { skip_special_tokens: true })),
  };
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

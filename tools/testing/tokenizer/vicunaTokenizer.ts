import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import type { BundleManifest } from '../../../src/core/bundle/manifest.ts';
import type { TextTokenizer } from '../../../src/core/prompt/textTokenizer.ts';
import { loadBundleTokenizer } from '../../../src/engine/text/BundleTokenizer.ts';
import { writeVicunaTokenizer } from '../../tiny/tokenizer.ts';
import { convertTokenizer, type ConvertedTokenizer } from '../../../converter/tokenizer/convertTokenizer.ts';

/** Vicuna's files written, converted and loaded in transformers.js, for the tokenizer tests. */
export interface VicunaTestBundle {
  /** Holds vicuna/ (tokenizer.model and configs) and bundle/ (converted). */
  root: string;
  vicunaDir: string;
  bundleDir: string;
  converted: ConvertedTokenizer;
  /** The converted tokenizer.json in transformers.js, on its own (its pipeline: every piece prefixed). */
  tokenizer: PreTrainedTokenizer;
  /** One text piece, no special tokens, through transformers.js: with the dummy prefix. */
  encodePiece(piece: string): number[];
  /** The converted files as the engine loads them. */
  text: TextTokenizer;
  remove(): Promise<void>;
}

export async function buildVicunaTestBundle(): Promise<VicunaTestBundle> {
  const root = await mkdtemp(join(tmpdir(), 'vicuna-tokenizer-'));
  const vicunaDir = join(root, 'vicuna');
  const bundleDir = join(root, 'bundle');
  await writeVicunaTokenizer(vicunaDir);
  await mkdir(bundleDir);
  const converted = await convertTokenizer(join(vicunaDir, 'tokenizer.model'), bundleDir);
  // Local files only: an absolute folder under the root "model path", never the Hub.
  env.allowRemoteModels = false;
  env.localModelPath = '/';
  const tokenizer = await AutoTokenizer.from_pretrained(bundleDir, { local_files_only: true });
  const text = await loadFolderTokenizer(bundleDir);
  return {
    root,
    vicunaDir,
    bundleDir,
    converted,
    tokenizer,
    text,
    encodePiece: (piece) => tokenizer.encode(piece, { add_special_tokens: false }),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** A folder's tokenizer.json and tokenizer_config.json through the engine's loader. */
export function loadFolderTokenizer(dir: string): Promise<TextTokenizer> {
  const files = ['tokenizer.json', 'tokenizer_config.json'];
  const manifest = { tokenizer: { files } } as unknown as BundleManifest;
  return loadBundleTokenizer({ manifest, label: dir, read: async (path) => new Uint8Array(await readFile(join(dir, path))) });
}

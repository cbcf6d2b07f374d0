import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { writeVicunaTokenizer } from '../../tiny/tokenizer.ts';
import { convertTokenizer, type ConvertedTokenizer } from '../convertTokenizer.ts';

/** Vicuna's files written, converted and loaded in transformers.js, for the tokenizer tests. */
export interface VicunaTestBundle {
  /** Holds vicuna/ (tokenizer.model and configs) and bundle/ (converted). */
  root: string;
  vicunaDir: string;
  bundleDir: string;
  converted: ConvertedTokenizer;
  tokenizer: PreTrainedTokenizer;
  /** One text piece, no special tokens: what the engine will plug into `encodeTextChunk`. */
  encodePiece(piece: string): number[];
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
  return {
    root,
    vicunaDir,
    bundleDir,
    converted,
    tokenizer,
    encodePiece: (piece) => tokenizer.encode(piece, { add_special_tokens: false }),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

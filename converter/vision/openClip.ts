/**
 * Opens `--clip`: the Hugging Face openai/clip-vit-large-patch14 folder (a full CLIPModel) or a CLIPVisionModel
 * folder (the tiny factory's), reading only config.json and the weights' metadata. The text model's tensors are
 * ignored; integer buffers (`vision_model.embeddings.position_ids`) land in the reader's `skipped`.
 * OpenAI's original `ViT-L-14.pt` is a TorchScript archive (code and constants pickled beside the weights, with
 * `visual.*` names): it is refused with a pointer to the Hugging Face weights, as is any `visual.*` state dict.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '../../src/core/errors.ts';
import { openFile, readAt } from '../checkpoint/fileAccess.ts';
import { openCheckpoint } from '../checkpoint/index.ts';
import type { Checkpoint } from '../checkpoint/types.ts';
import { readZipDirectory } from '../checkpoint/zipReader.ts';
import { clipWeightShapes, parseClipVisionConfig, type ClipVisionConfig } from './clipConfig.ts';

export const CLIP_HINT =
  'Download the Hugging Face weights of openai/clip-vit-large-patch14 (config.json and model.safetensors) and pass that folder as --clip.';

export interface ClipInput {
  config: ClipVisionConfig;
  checkpoint: Checkpoint;
}

/** Opens and checks the CLIP weights: config, TorchScript refusal, every vision tensor present with its shape. */
export async function openClipVision(path: string): Promise<ClipInput> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new AppError('FILE_NOT_FOUND', `${path}: --clip not found`, { hint: CLIP_HINT, cause: error });
  }
  const folder = info.isDirectory() ? path : dirname(path);
  // 1. TorchScript first: the file itself, or the only weights in a folder without config.json.
  const candidates = info.isDirectory() ? (await readdir(path)).filter((name) => /\.(pt|pth|bin)$/.test(name)).map((name) => join(path, name)) : [path];
  for (const candidate of candidates) {
    if (await isTorchScript(candidate)) {
      throw new AppError('CHECKPOINT_INVALID', `${candidate}: a TorchScript archive (OpenAI's original CLIP format), which the converter does not read`, {
        hint: CLIP_HINT,
      });
    }
  }
  // 2. config.json.
  const configFile = join(folder, 'config.json');
  if (!existsSync(configFile)) {
    throw new AppError('FILE_NOT_FOUND', `${configFile}: missing (--clip needs the CLIP config beside the weights)`, { hint: CLIP_HINT });
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(configFile, 'utf8'));
  } catch {
    throw new AppError('CHECKPOINT_INVALID', `${configFile}: not valid JSON`, { hint: CLIP_HINT });
  }
  const config = parseClipVisionConfig(json, configFile);
  // 3. The weights: every tensor of the tower, in a float type, with the shape the config implies.
  const checkpoint = await openCheckpoint(path);
  try {
    checkClipWeights(checkpoint, config, path);
  } catch (error) {
    await checkpoint.close();
    throw error;
  }
  return { config, checkpoint };
}

function checkClipWeights(checkpoint: Checkpoint, config: ClipVisionConfig, path: string): void {
  const names = [...checkpoint.tensors.keys()];
  // Name the weights file itself (a folder's model.safetensors), not the folder.
  const where = checkpoint.tensors.values().next().value?.file ?? path;
  if (!names.some((name) => name.startsWith('vision_model.'))) {
    const openAi = names.some((name) => name.startsWith('visual.'));
    throw new AppError(
      'CHECKPOINT_INVALID',
      `${where}: no vision_model.* tensors${openAi ? " (visual.* names: OpenAI's or open_clip's layout)" : ''}; expected Hugging Face CLIP weights`,
      { hint: CLIP_HINT },
    );
  }
  for (const [name, shape] of clipWeightShapes(config)) {
    const entry = checkpoint.tensors.get(name);
    if (entry === undefined) {
      const skipped = checkpoint.skipped?.get(name);
      throw new AppError('CHECKPOINT_INVALID', `${where}: ${name} is ${skipped ? `stored as ${skipped}, not a float type` : 'missing'}`, { hint: CLIP_HINT });
    }
    if (entry.shape.join(',') !== shape.join(',')) {
      throw new AppError('CHECKPOINT_INVALID', `${entry.file}: ${name} is [${entry.shape.join(', ')}] but config.json implies [${shape.join(', ')}]`, { hint: CLIP_HINT });
    }
  }
}

/** A zip whose archive folder holds `constants.pkl` or `code/`: what torch.jit.save writes and torch.save does not. */
export async function isTorchScript(path: string): Promise<boolean> {
  const file = await openFile(path);
  try {
    const head = await readAt(file, 0, Math.min(4, file.size));
    if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) return false;
    const entries = await readZipDirectory(file);
    return [...entries.keys()].some((name) => /^[^/]+\/(constants\.pkl$|code\/)/.test(name));
  } finally {
    await file.close();
  }
}

import { EMBEDDER_FILES, embedderRoot, EMBEDDER_FOLDER_HINT, type EmbedderFilePath } from '../../core/embedder/embedderFiles.ts';
import type { LocalFile } from '../../core/bundle/localFolder.ts';
import { AppError } from '../../core/errors.ts';

/** The embedder's files wherever they are (a picked folder, the cache), as transformers.js will be served them. */
export interface EmbedderFolder {
  /** Where they come from, for messages: a URL prefix or a folder's name. */
  label: string;
  /** The cache's key when they are read from the cache; null for a folder read in place. */
  cacheKey: string | null;
  /** One of the embedder's files; null when absent. */
  file(path: EmbedderFilePath): Promise<Blob | null>;
}

/**
 * A picked (`<input webkitdirectory>`) or dropped folder: read in place, never copied. The model's folder is the
 * shallowest one with config.json and onnx/model.onnx, so the folder itself or its parent can be chosen.
 */
export function embedderFolderFromFiles(files: ReadonlyArray<LocalFile>): EmbedderFolder {
  const paths = files.map((entry) => entry.path.replace(/^\/+/, ''));
  const root = embedderRoot(paths);
  const folderName = paths[0]?.split('/')[0] ?? '';
  if (root === null) {
    const has = new Set(paths.map((path) => path.split('/').slice(1).join('/')));
    const missing = EMBEDDER_FILES.filter((path) => !has.has(path) && !paths.includes(path));
    throw new AppError(
      'MODEL_LOAD_FAILED',
      `The chosen folder${folderName ? ` "${folderName}"` : ''} holds no sentence model: no folder in it has both config.json and onnx/model.onnx${missing.length > 0 ? ` (missing: ${missing.join(', ')})` : ''}.`,
      { hint: EMBEDDER_FOLDER_HINT },
    );
  }
  const byPath = new Map<string, File>();
  files.forEach((entry, index) => {
    const path = paths[index]!;
    if (path.startsWith(root)) byPath.set(path.slice(root.length), entry.file);
  });
  return {
    label: root.replace(/\/$/, '').split('/').pop() || folderName || 'the chosen folder',
    cacheKey: null,
    file: async (path) => byPath.get(path) ?? null,
  };
}

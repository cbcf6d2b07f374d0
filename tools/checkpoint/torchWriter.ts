import { basename } from 'node:path';
import { pickleStateDict } from './pickleWriter.ts';
import { byteLength, type TensorSource } from './tensorSource.ts';
import { ZipWriter, type ZipWriterOptions } from './zipWriter.ts';

export interface TorchWriteOptions extends ZipWriterOptions {
  /** The folder name inside the zip; torch.save uses the file name without its extension. */
  archiveName?: string;
}

/** The archive folder torch.save would choose for `path`: its base name up to the first dot. */
export function defaultArchiveName(path: string): string {
  return basename(path).split('.')[0] || 'archive';
}

/**
 * Writes `sources` as `torch.save(OrderedDict(name → tensor))` does (PyTorch ≥ 1.6 zip format): data.pkl, then
 * byteorder, one stored record per tensor storage, and version. Tensors stream in order; `torch.load` reads the result.
 */
export async function writeTorchZip(path: string, sources: TensorSource[], options: TorchWriteOptions = {}): Promise<void> {
  const archive = options.archiveName ?? defaultArchiveName(path);
  const pickle = pickleStateDict(sources.map((source, index) => ({ ...source, storageKey: String(index) })));
  const zip = await ZipWriter.create(path, options);
  try {
    await zip.addEntry(`${archive}/data.pkl`, pickle.byteLength, [pickle]);
    // Read by torch ≥ 2.1 to byte-swap on big-endian machines; older versions ignore it.
    const byteorder = Buffer.from('little', 'latin1');
    await zip.addEntry(`${archive}/byteorder`, byteorder.byteLength, [byteorder]);
    for (const [index, source] of sources.entries()) {
      await zip.addEntry(`${archive}/data/${index}`, byteLength(source), source.chunks());
    }
    const version = Buffer.from('3\n', 'latin1');
    await zip.addEntry(`${archive}/version`, version.byteLength, [version]);
    await zip.finish();
  } catch (error) {
    await zip.abort();
    throw error;
  }
}

import { basename } from 'node:path';
import { elementCount } from './dtypes.ts';
import { pickleStateDict, type PickledTensor } from './pickleWriter.ts';
import { byteLength, type TensorSource } from './tensorSource.ts';
import { ZipWriter, type ZipWriterOptions } from './zipWriter.ts';

/**
 * How the tensors lie in the file:
 * - 'per-tensor': each tensor its own storage, on the CPU, with a byteorder record: `torch.save(state_dict)` of
 *   ordinary tensors in torch ≥ 2.1.
 * - 'deepspeed': what DeepSpeed (ZeRO, fp16) saves from a GPU with torch 1.13, as DepictQA's released ckpt.pt most
 *   likely is: every parameter a view into one flat buffer per dtype (`data/0` for fp16), at its offset, located
 *   'cuda:0', and no byteorder record (torch < 2.1 wrote none).
 */
export type TorchLayout = 'per-tensor' | 'deepspeed';

export interface TorchWriteOptions extends ZipWriterOptions {
  /** The folder name inside the zip; torch.save uses the file name without its extension. */
  archiveName?: string;
  /** Default 'per-tensor'. */
  layout?: TorchLayout;
}

interface StorageRecord {
  key: string;
  sources: TensorSource[];
}

/** Each tensor's pickle record, and the storages that hold their bytes in order. */
function planStorages(sources: TensorSource[], layout: TorchLayout): { tensors: PickledTensor[]; storages: StorageRecord[] } {
  if (layout === 'per-tensor') {
    return {
      tensors: sources.map((source, index) => ({ ...source, storageKey: String(index) })),
      storages: sources.map((source, index) => ({ key: String(index), sources: [source] })),
    };
  }
  const byDtype = new Map<string, StorageRecord & { numel: number }>();
  const placed = sources.map((source) => {
    let storage = byDtype.get(source.dtype);
    if (storage === undefined) {
      storage = { key: String(byDtype.size), sources: [], numel: 0 };
      byDtype.set(source.dtype, storage);
    }
    const storageOffset = storage.numel;
    storage.sources.push(source);
    storage.numel += elementCount(source.shape);
    return { source, storage, storageOffset };
  });
  return {
    tensors: placed.map(({ source, storage, storageOffset }) => ({
      ...source,
      storageKey: storage.key,
      storageOffset,
      storageNumel: storage.numel,
      location: 'cuda:0',
    })),
    storages: [...byDtype.values()],
  };
}

/** The archive folder torch.save would choose for `path`: its base name up to the first dot. */
export function defaultArchiveName(path: string): string {
  return basename(path).split('.')[0] || 'archive';
}

/**
 * Writes `sources` as `torch.save(OrderedDict(name → tensor))` does (PyTorch ≥ 1.6 zip format): data.pkl, then
 * byteorder (per-tensor layout only), one stored record per storage, and version. Tensors stream in order;
 * `torch.load` reads the result.
 */
export async function writeTorchZip(path: string, sources: TensorSource[], options: TorchWriteOptions = {}): Promise<void> {
  const archive = options.archiveName ?? defaultArchiveName(path);
  const layout = options.layout ?? 'per-tensor';
  const { tensors, storages } = planStorages(sources, layout);
  const pickle = pickleStateDict(tensors);
  const zip = await ZipWriter.create(path, options);
  try {
    await zip.addEntry(`${archive}/data.pkl`, pickle.byteLength, [pickle]);
    if (layout === 'per-tensor') {
      // Read by torch ≥ 2.1 to byte-swap on big-endian machines; older versions ignore it.
      const byteorder = Buffer.from('little', 'latin1');
      await zip.addEntry(`${archive}/byteorder`, byteorder.byteLength, [byteorder]);
    }
    for (const storage of storages) {
      const bytes = storage.sources.reduce((sum, source) => sum + byteLength(source), 0);
      await zip.addEntry(`${archive}/data/${storage.key}`, bytes, storageChunks(storage.sources));
    }
    const version = Buffer.from('3\n', 'latin1');
    await zip.addEntry(`${archive}/version`, version.byteLength, [version]);
    await zip.finish();
  } catch (error) {
    await zip.abort();
    throw error;
  }
}

/** The storage's bytes: its tensors' chunks one after another, lazily (a source may reuse its chunk buffer). */
function* storageChunks(sources: TensorSource[]): Iterable<Uint8Array> {
  for (const source of sources) yield* source.chunks();
}

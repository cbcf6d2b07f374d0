import { AppError } from '../../src/core/errors.ts';
import { decodeInto, elementCount, swapBytes } from './dtypes.ts';
import { openParsed, readAt, type OpenFile } from './fileAccess.ts';
import { readContiguous, gatherStrided, isContiguous, stridedExtent } from './tensorData.ts';
import { collectTensors, unpickleTorch, type TensorRef } from './torchPickle.ts';
import type { Checkpoint, DType, TensorEntry } from './types.ts';
import { readZipDirectory, readZipEntry, resolveDataOffset, type ZipEntry } from './zipReader.ts';

/**
 * Opens a PyTorch checkpoint in the zip format of `torch.save` (PyTorch ≥ 1.6): `<archive>/data.pkl` describes the
 * tensors, `<archive>/data/<key>` holds each storage's raw bytes. Only the pickle and the zip directory are read now;
 * each tensor's bytes are read from their file offset on `read()`.
 */
export async function openTorchZip(path: string, namedBy?: string): Promise<Checkpoint> {
  return openParsed(path, namedBy, parse);
}

async function parse(file: OpenFile): Promise<Checkpoint> {
  const invalid = (problem: string, hint?: string) =>
    new AppError('CHECKPOINT_INVALID', `${file.path}: ${problem}`, hint === undefined ? {} : { hint });
  const head = await readAt(file, 0, Math.min(4, file.size));
  if (head[0] === 0x80 && head[2] === 0x8a) {
    throw invalid('a legacy (pre-1.6, non-zip) PyTorch checkpoint', 'Re-save it with torch.save in PyTorch 1.6 or newer.');
  }
  if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) {
    throw invalid('not a PyTorch zip checkpoint (no zip signature)', 'Expected a torch.save file (.bin, .pt, .pth).');
  }
  const entries = await readZipDirectory(file);
  const pickleEntry = [...entries.values()].find((entry) => /^[^/]+\/data\.pkl$/.test(entry.name));
  if (!pickleEntry) throw invalid('a zip archive without <archive>/data.pkl: not a torch.save checkpoint');
  const prefix = pickleEntry.name.slice(0, -'data.pkl'.length);

  const byteorderEntry = entries.get(`${prefix}byteorder`);
  const byteorder = byteorderEntry ? (await readZipEntry(file, byteorderEntry)).toString('latin1').trim() : 'little';
  if (byteorder !== 'little' && byteorder !== 'big') throw invalid(`unknown byteorder "${byteorder}"`);

  const root = unpickleTorch(await readZipEntry(file, pickleEntry), file.path);
  const refs = collectTensors(root, file.path);
  if (refs.size === 0) throw invalid('holds no tensors');

  const tensors = new Map<string, TensorEntry>();
  const skipped = new Map<string, string>();
  for (const [name, ref] of refs) {
    const { dtype } = ref.storage;
    if (typeof dtype !== 'string') {
      skipped.set(name, dtype.unsupported);
      continue;
    }
    const record = entries.get(`${prefix}data/${ref.storage.key}`);
    if (!record) throw invalid(`tensor "${name}" needs storage record data/${ref.storage.key}, which the archive lacks`);
    const needed = ref.storage.numel * ref.storage.elementSize;
    if (record.size < needed) {
      throw invalid(`storage data/${ref.storage.key} holds ${record.size} bytes, but tensor "${name}" needs ${needed}`);
    }
    const count = elementCount(ref.shape);
    const { low, high } = stridedExtent(ref.shape, ref.stride);
    if (count > 0 && (ref.offset + low < 0 || ref.offset + high >= ref.storage.numel)) {
      throw invalid(`tensor "${name}" reaches outside its storage (offset ${ref.offset}, storage of ${ref.storage.numel})`);
    }
    await resolveDataOffset(file, record);
    tensors.set(name, {
      name,
      dtype,
      shape: [...ref.shape],
      file: file.path,
      read: () => readTensor(file, record, ref, dtype, byteorder === 'big', `tensor "${name}"`),
    });
  }
  return { tensors, skipped, close: file.close };
}

async function readTensor(file: OpenFile, record: ZipEntry, ref: TensorRef, dtype: DType, bigEndian: boolean, what: string): Promise<Float32Array> {
  const count = elementCount(ref.shape);
  if (count === 0) return new Float32Array(0);
  const contiguous = isContiguous(ref.shape, ref.stride);
  // A strided view reads the storage span it touches, then gathers; real checkpoints are contiguous.
  const { low, high } = contiguous ? { low: 0, high: count - 1 } : stridedExtent(ref.shape, ref.stride);
  const first = ref.offset + low;
  const spanCount = high - low + 1;
  const span =
    record.method === 0
      ? await readContiguous(file, (record.dataOffset as number) + first * ref.storage.elementSize, dtype, spanCount, what, bigEndian)
      : await readCompressedSpan(file, record, dtype, ref.storage.elementSize, first, spanCount, bigEndian);
  return contiguous ? span : gatherStrided(span, -low, ref.shape, ref.stride);
}

// Repacked archives may deflate storages; torch never does, so this path inflates the whole record.
async function readCompressedSpan(
  file: OpenFile,
  record: ZipEntry,
  dtype: DType,
  elementSize: number,
  first: number,
  count: number,
  bigEndian: boolean,
): Promise<Float32Array> {
  const bytes = (await readZipEntry(file, record)).subarray(first * elementSize, (first + count) * elementSize);
  if (bigEndian) swapBytes(bytes, elementSize);
  const out = new Float32Array(count);
  decodeInto(dtype, bytes, count, out, 0);
  return out;
}

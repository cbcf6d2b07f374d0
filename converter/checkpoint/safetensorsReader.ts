import { AppError } from '../../src/core/errors.ts';
import { bytesPerElement, elementCount } from './dtypes.ts';
import { openParsed, readAt, truncatedError, type OpenFile } from './fileAccess.ts';
import { readContiguous } from './tensorData.ts';
import type { Checkpoint, DType, TensorEntry } from './types.ts';

// Real headers are tens of kilobytes; a larger length means the file is not safetensors at all.
const MAX_HEADER_BYTES = 100 << 20;
const FLOAT_DTYPES = new Set<string>(['F32', 'F16', 'BF16']);
const OTHER_DTYPES = new Set<string>(['F64', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'U16', 'U32', 'U64', 'F8_E4M3', 'F8_E5M2']);

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function invalid(file: OpenFile, problem: string): AppError {
  return new AppError('CHECKPOINT_INVALID', `${file.path}: ${problem}`, {
    hint: 'Expected a safetensors file (8-byte header length, JSON header, tensor data).',
  });
}

function isNaturalArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => Number.isSafeInteger(n) && n >= 0);
}

/** Opens one `.safetensors` file: parses the header now, reads tensor data on `read()`. */
export async function openSafetensors(path: string, namedBy?: string): Promise<Checkpoint> {
  return openParsed(path, namedBy, parse);
}

async function parse(file: OpenFile): Promise<Checkpoint> {
  if (file.size < 8) throw truncatedError(file, 'the header length', 8);
  const prefix = await readAt(file, 0, 8, 'the header length');
  const headerLength = Number(prefix.readBigUInt64LE(0));
  if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) throw invalid(file, 'not a safetensors file (implausible header length)');
  // Look at what is there before blaming truncation: a text file or PNG must read as "not safetensors".
  const available = Math.min(headerLength, file.size - 8);
  if (available === 0) throw truncatedError(file, 'the JSON header', 8 + headerLength);
  const headerBytes = await readAt(file, 8, available, 'the JSON header');
  if (headerBytes[0] !== 0x7b /* { */) throw invalid(file, 'not a safetensors file (header is not a JSON object)');
  if (available < headerLength) throw truncatedError(file, 'the JSON header', 8 + headerLength);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new AppError('CHECKPOINT_INVALID', `${file.path}: the safetensors header is not valid JSON`, { cause: error });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw invalid(file, 'the header is not a JSON object');

  const dataStart = 8 + headerLength;
  const tensors = new Map<string, TensorEntry>();
  const skipped = new Map<string, string>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = raw as Partial<HeaderEntry>;
    if (typeof entry !== 'object' || entry === null || typeof entry.dtype !== 'string' || !isNaturalArray(entry.shape)) {
      throw invalid(file, `tensor "${name}" has no valid dtype and shape`);
    }
    const offsets = entry.data_offsets;
    if (!isNaturalArray(offsets) || offsets.length !== 2 || (offsets[1] as number) < (offsets[0] as number)) {
      throw invalid(file, `tensor "${name}" has no valid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    if (dataStart + end > file.size) throw truncatedError(file, `tensor "${name}"`, dataStart + end);
    if (OTHER_DTYPES.has(entry.dtype)) {
      skipped.set(name, entry.dtype);
      continue;
    }
    if (!FLOAT_DTYPES.has(entry.dtype)) throw invalid(file, `tensor "${name}" has unknown dtype ${entry.dtype}`);
    const dtype = entry.dtype as DType;
    const shape = entry.shape;
    const count = elementCount(shape);
    if (end - begin !== count * bytesPerElement[dtype]) {
      throw invalid(file, `tensor "${name}" holds ${end - begin} bytes, but ${dtype} [${shape.join(', ')}] needs ${count * bytesPerElement[dtype]}`);
    }
    tensors.set(name, {
      name,
      dtype,
      shape: [...shape],
      file: file.path,
      read: () => readContiguous(file, dataStart + begin, dtype, count, `tensor "${name}"`),
    });
  }
  return { tensors, skipped, close: file.close };
}

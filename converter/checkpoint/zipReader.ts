import { inflateRawSync } from 'node:zlib';
import { AppError } from '../../src/core/errors.ts';
import { readAt, truncatedError, type OpenFile } from './fileAccess.ts';

/** One member of a zip archive, with the absolute file offset of its data (for positional reads). */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** Absolute offset of the first data byte; resolved from the local header by `resolveDataOffset`. */
  dataOffset?: number;
}

/** The records' signatures (APPNOTE.TXT 4.3): end of central directory, its ZIP64 locator and record, a central and a local header. */
const SIGNATURE = { eocd: 0x06054b50, zip64Locator: 0x07064b50, zip64Eocd: 0x06064b50, central: 0x02014b50, local: 0x04034b50 } as const;
/** The end-of-central-directory record without its comment, and the longest comment after it. */
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

function invalid(file: OpenFile, problem: string): AppError {
  return new AppError('CHECKPOINT_INVALID', `${file.path}: ${problem}`);
}

function readUint64(buffer: Buffer, offset: number): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('zip offset beyond 2^53');
  return Number(value);
}

async function findEndOfCentralDirectory(file: OpenFile): Promise<{ record: Buffer; offset: number }> {
  const tailLength = Math.min(file.size, EOCD_SIZE + MAX_COMMENT);
  const tailStart = file.size - tailLength;
  const tail = await readAt(file, tailStart, tailLength, 'the zip directory');
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    if (tail.readUInt32LE(at) === SIGNATURE.eocd) {
      return { record: tail.subarray(at, at + EOCD_SIZE), offset: tailStart + at };
    }
  }
  // A zip that starts like one but has no directory at the end was cut short.
  const head = await readAt(file, 0, Math.min(4, file.size));
  if (head.length === 4 && head.readUInt32LE(0) === SIGNATURE.local) {
    throw new AppError('FILE_TRUNCATED', `${file.path}: the zip central directory is missing: the file was cut short`, {
      hint: 'The file is incomplete (an interrupted download or copy?): fetch it again.',
    });
  }
  throw invalid(file, 'not a zip archive (no end-of-central-directory record)');
}

/** Reads the central directory (ZIP64 included). Data offsets are resolved lazily per entry. */
export async function readZipDirectory(file: OpenFile): Promise<Map<string, ZipEntry>> {
  const { record, offset: eocdOffset } = await findEndOfCentralDirectory(file);
  let count = record.readUInt16LE(10);
  let directorySize = record.readUInt32LE(12);
  let directoryOffset = record.readUInt32LE(16);
  if (eocdOffset >= 20) {
    const locator = await readAt(file, eocdOffset - 20, 20, 'the zip64 locator');
    if (locator.readUInt32LE(0) === SIGNATURE.zip64Locator) {
      const zip64Offset = readUint64(locator, 8);
      const zip64 = await readAt(file, zip64Offset, 56, 'the zip64 directory record');
      if (zip64.readUInt32LE(0) !== SIGNATURE.zip64Eocd) throw invalid(file, 'broken zip64 end-of-central-directory record');
      count = readUint64(zip64, 32);
      directorySize = readUint64(zip64, 40);
      directoryOffset = readUint64(zip64, 48);
    }
  }
  if (directoryOffset + directorySize > file.size) throw truncatedError(file, 'the zip central directory', directoryOffset + directorySize);
  const directory = await readAt(file, directoryOffset, directorySize, 'the zip central directory');
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== SIGNATURE.central) {
      throw invalid(file, `broken zip central directory at entry ${i}`);
    }
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const entry: ZipEntry = {
      name: directory.toString('utf8', at + 46, at + 46 + nameLength),
      method: directory.readUInt16LE(at + 10),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    applyZip64Extra(entry, directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    entries.set(entry.name, entry);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

// ZIP64 "extended information" (id 1) holds, in this order, only the fields whose 32-bit value is 0xffffffff.
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const next = (): number => {
        const value = readUint64(extra, field);
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = next();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next();
      return;
    }
    at += 4 + length;
  }
}

/** Finds where an entry's data starts (the local header's name and extra field lengths may differ from the central ones). */
export async function resolveDataOffset(file: OpenFile, entry: ZipEntry): Promise<number> {
  if (entry.dataOffset !== undefined) return entry.dataOffset;
  const header = await readAt(file, entry.localHeaderOffset, 30, `the zip header of ${entry.name}`);
  if (header.readUInt32LE(0) !== SIGNATURE.local) throw invalid(file, `broken zip local header for ${entry.name}`);
  entry.dataOffset = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const end = entry.dataOffset + entry.compressedSize;
  if (end > file.size) throw truncatedError(file, `zip member ${entry.name}`, end);
  return entry.dataOffset;
}

/** Reads a whole (small) entry, inflating it if needed: for data.pkl, version and byteorder. */
export async function readZipEntry(file: OpenFile, entry: ZipEntry): Promise<Buffer> {
  const offset = await resolveDataOffset(file, entry);
  const raw = await readAt(file, offset, entry.compressedSize, `zip member ${entry.name}`);
  if (entry.method === 0) return raw;
  if (entry.method === 8) return inflateRawSync(raw);
  throw invalid(file, `zip member ${entry.name} uses unsupported compression method ${entry.method}`);
}

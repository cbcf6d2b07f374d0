import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/** Where torch.save puts each record's data: on a 64-byte boundary, padded by an extra field "FB" of 'Z's. */
const ALIGNMENT = 64;
const U32_MAX = 0xffffffff;
const DOS_DATE_1980_01_01 = 0x0021;
const FLAG_UTF8_NAMES = 0x0800;

interface CentralRecord {
  name: Buffer;
  crc: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipWriterOptions {
  /** Write ZIP64 fields even when sizes and offsets fit in 32 bits (tests use it to exercise the ZIP64 path on small files). */
  forceZip64?: boolean;
}

/**
 * A streaming writer of uncompressed ("stored") zip archives laid out as torch.save lays them out: data aligned to
 * 64 bytes, ZIP64 records when offsets pass 4 GiB. Each entry's CRC is computed while its data streams and patched
 * into its local header afterwards, so no entry is ever held in memory.
 */
export class ZipWriter {
  private position = 0;
  private readonly records: CentralRecord[] = [];

  private constructor(
    private readonly handle: FileHandle,
    private readonly forceZip64: boolean,
  ) {}

  static async create(path: string, options: ZipWriterOptions = {}): Promise<ZipWriter> {
    return new ZipWriter(await open(path, 'w'), options.forceZip64 ?? false);
  }

  private async write(bytes: Uint8Array, position = this.position): Promise<void> {
    for (let done = 0; done < bytes.byteLength; ) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.byteLength - done, position + done);
      done += bytesWritten;
    }
    if (position === this.position) this.position += bytes.byteLength;
  }

  /** Appends one stored entry of exactly `size` bytes. */
  async addEntry(nameText: string, size: number, chunks: Iterable<Uint8Array>): Promise<void> {
    const name = Buffer.from(nameText, 'utf8');
    const localHeaderOffset = this.position;
    const zip64 = this.forceZip64 || size >= U32_MAX;
    const zip64Extra = zip64 ? 20 : 0;
    // The padding field needs its own 4-byte header, so pad to the next boundary at least 4 bytes away.
    const beforePadding = localHeaderOffset + 30 + name.length + zip64Extra + 4;
    const padding = (ALIGNMENT - (beforePadding % ALIGNMENT)) % ALIGNMENT;
    const header = Buffer.alloc(30 + name.length + zip64Extra + 4 + padding);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(zip64 ? 45 : 20, 4);
    header.writeUInt16LE(FLAG_UTF8_NAMES, 6);
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt16LE(0, 10);
    header.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    // 14: CRC-32, patched once the data is written.
    header.writeUInt32LE(zip64 ? U32_MAX : size, 18);
    header.writeUInt32LE(zip64 ? U32_MAX : size, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(zip64Extra + 4 + padding, 28);
    name.copy(header, 30);
    let at = 30 + name.length;
    if (zip64) {
      header.writeUInt16LE(0x0001, at);
      header.writeUInt16LE(16, at + 2);
      header.writeBigUInt64LE(BigInt(size), at + 4);
      header.writeBigUInt64LE(BigInt(size), at + 12);
      at += 20;
    }
    header.writeUInt16LE(0x4246, at); // "FB"
    header.writeUInt16LE(padding, at + 2);
    header.fill('Z', at + 4);
    await this.write(header);

    let crc = 0;
    let written = 0;
    for (const chunk of chunks) {
      crc = crc32(chunk, crc);
      written += chunk.byteLength;
      if (written > size) throw new RangeError(`${nameText}: more than the ${size} bytes announced`);
      await this.write(chunk);
    }
    if (written !== size) throw new RangeError(`${nameText}: ${written} bytes written, ${size} announced`);
    const crcBytes = Buffer.alloc(4);
    crcBytes.writeUInt32LE(crc >>> 0, 0);
    await this.write(crcBytes, localHeaderOffset + 14);
    this.records.push({ name, crc: crc >>> 0, size, localHeaderOffset });
  }

  /** Writes the central directory and the (ZIP64) end records, then closes the file. */
  async finish(): Promise<void> {
    const directoryOffset = this.position;
    for (const record of this.records) await this.write(this.centralRecord(record));
    const directorySize = this.position - directoryOffset;
    const zip64EndOffset = this.position;
    const count = this.records.length;

    const end = Buffer.alloc(56 + 20 + 22);
    end.writeUInt32LE(0x06064b50, 0); // ZIP64 end of central directory
    end.writeBigUInt64LE(44n, 4);
    end.writeUInt16LE(0x031e, 12);
    end.writeUInt16LE(45, 14);
    end.writeBigUInt64LE(BigInt(count), 24);
    end.writeBigUInt64LE(BigInt(count), 32);
    end.writeBigUInt64LE(BigInt(directorySize), 40);
    end.writeBigUInt64LE(BigInt(directoryOffset), 48);
    end.writeUInt32LE(0x07064b50, 56); // ZIP64 locator
    end.writeBigUInt64LE(BigInt(zip64EndOffset), 64);
    end.writeUInt32LE(1, 72);
    end.writeUInt32LE(0x06054b50, 76); // classic end record, saturated where ZIP64 takes over
    const cap16 = (n: number) => (this.forceZip64 || n >= 0xffff ? 0xffff : n);
    const cap32 = (n: number) => (this.forceZip64 || n >= U32_MAX ? U32_MAX : n);
    end.writeUInt16LE(cap16(count), 84);
    end.writeUInt16LE(cap16(count), 86);
    end.writeUInt32LE(cap32(directorySize), 88);
    end.writeUInt32LE(cap32(directoryOffset), 92);
    await this.write(end);
    await this.handle.close();
  }

  /** Closes the file without finishing it (after an error). */
  async abort(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }

  private centralRecord({ name, crc, size, localHeaderOffset }: CentralRecord): Buffer {
    const bigSize = this.forceZip64 || size >= U32_MAX;
    const bigOffset = this.forceZip64 || localHeaderOffset >= U32_MAX;
    const extraLength = bigSize || bigOffset ? 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
    const record = Buffer.alloc(46 + name.length + extraLength);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(0x031e, 4); // made by: Unix, spec 3.0
    record.writeUInt16LE(extraLength > 0 ? 45 : 20, 6);
    record.writeUInt16LE(FLAG_UTF8_NAMES, 8);
    record.writeUInt16LE(0, 10);
    record.writeUInt16LE(0, 12);
    record.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(bigSize ? U32_MAX : size, 20);
    record.writeUInt32LE(bigSize ? U32_MAX : size, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt16LE(extraLength, 30);
    record.writeUInt32LE(0o100644 * 0x10000, 38); // a regular file, rw-r--r--
    record.writeUInt32LE(bigOffset ? U32_MAX : localHeaderOffset, 42);
    name.copy(record, 46);
    if (extraLength > 0) {
      let at = 46 + name.length;
      record.writeUInt16LE(0x0001, at);
      record.writeUInt16LE(extraLength - 4, at + 2);
      at += 4;
      // ZIP64 order: uncompressed size, compressed size, local header offset.
      if (bigSize) {
        record.writeBigUInt64LE(BigInt(size), at);
        record.writeBigUInt64LE(BigInt(size), at + 8);
        at += 16;
      }
      if (bigOffset) record.writeBigUInt64LE(BigInt(localHeaderOffset), at);
    }
    return record;
  }
}

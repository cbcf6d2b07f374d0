import { describe, expect, it } from 'vitest';
import type { FileSlices } from '../../core/bundle/bundleFiles.ts';
import { opensGraphsFromDisk, readsExternalDataInSlices, SlicedFileBytes } from './externalData.ts';

function fileOf(bytes: Uint8Array): FileSlices & { reads: Array<[number, number]> } {
  const reads: Array<[number, number]> = [];
  return {
    byteLength: bytes.byteLength,
    reads,
    read: (offset, length) => {
      reads.push([offset, length]);
      return bytes.slice(offset, offset + length);
    },
    close: () => undefined,
  };
}

describe('SlicedFileBytes', () => {
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => i);

  it('answers byteLength with the file size and subarray with a read of that part only', () => {
    const file = fileOf(bytes);
    const sliced = new SlicedFileBytes(file);
    expect(sliced).toBeInstanceOf(Uint8Array);
    expect(sliced.byteLength).toBe(100);
    expect(Array.from(sliced.subarray(10, 14))).toEqual([10, 11, 12, 13]);
    expect(file.reads).toEqual([[10, 4]]);
    expect(sliced.bytesRead).toBe(4);
  });

  it('clamps and counts from the end as Uint8Array.subarray does', () => {
    const sliced = new SlicedFileBytes(fileOf(bytes));
    expect(Array.from(sliced.subarray(-3))).toEqual(Array.from(bytes.subarray(-3)));
    expect(Array.from(sliced.subarray(95, 500))).toEqual(Array.from(bytes.subarray(95, 500)));
    expect(sliced.subarray(60, 50).byteLength).toBe(0);
  });

  it('holds no bytes of its own: a copy of it is empty, so a loader that copied would fail rather than read zeros', () => {
    const sliced = new SlicedFileBytes(fileOf(bytes));
    expect(sliced.length).toBe(0);
    expect(new Uint8Array(sliced).byteLength).toBe(0);
  });
});

describe('readsExternalDataInSlices', () => {
  it('is true for onnxruntime-web and false for onnxruntime-node', () => {
    expect(readsExternalDataInSlices({ env: { versions: { common: '1', web: '1' } } })).toBe(true);
    expect(readsExternalDataInSlices({ env: { versions: { common: '1', node: '1' } } })).toBe(false);
  });
});

describe('opensGraphsFromDisk', () => {
  it('is true for onnxruntime-node and false for onnxruntime-web', () => {
    expect(opensGraphsFromDisk({ env: { versions: { common: '1', node: '1' } } })).toBe(true);
    expect(opensGraphsFromDisk({ env: { versions: { common: '1', web: '1' } } })).toBe(false);
  });
});

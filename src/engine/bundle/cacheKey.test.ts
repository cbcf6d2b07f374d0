import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BundleManifest } from '../../core/bundle/manifest.ts';
import { bundleCacheKey, pathOfStoredFile, storedFileName } from './cacheKey.ts';

const file = (path: string, bytes: number, fill: string) => ({ path, bytes, sha256: fill.repeat(64) });
const manifestWith = (files: BundleManifest['files']) => ({ files }) as BundleManifest;

describe('bundleCacheKey', () => {
  const files = [file('tokenizer.json', 10, 'a'), file('onnx/decoder_q4.onnx', 20, 'b')];

  it('is the sha256 of the sorted file list, cut to 32 hex digits', async () => {
    const expected = createHash('sha256')
      .update(`onnx/decoder_q4.onnx\t20\t${'b'.repeat(64)}\ntokenizer.json\t10\t${'a'.repeat(64)}\n`)
      .digest('hex')
      .slice(0, 32);
    expect(await bundleCacheKey(manifestWith(files))).toBe(expected);
  });

  it('does not depend on the order files are listed in', async () => {
    expect(await bundleCacheKey(manifestWith([...files].reverse()))).toBe(await bundleCacheKey(manifestWith(files)));
  });

  it('changes when any file changes its bytes or size', async () => {
    const key = await bundleCacheKey(manifestWith(files));
    expect(await bundleCacheKey(manifestWith([files[0]!, file('onnx/decoder_q4.onnx', 20, 'c')]))).not.toBe(key);
    expect(await bundleCacheKey(manifestWith([files[0]!, file('onnx/decoder_q4.onnx', 21, 'b')]))).not.toBe(key);
  });
});

describe('storedFileName', () => {
  it('flattens a bundle path into one OPFS name and back', () => {
    const path = 'onnx/decoder_model_merged_q4.onnx_data';
    expect(storedFileName(path)).toBe('onnx%2Fdecoder_model_merged_q4.onnx_data');
    expect(pathOfStoredFile(storedFileName(path))).toBe(path);
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256Hex.ts';

describe('sha256Hex', () => {
  it('gives the lowercase hex digest, as Node’s own hash does', async () => {
    const bytes = new TextEncoder().encode('a picture');
    expect(await sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes only the view, not the whole buffer under it', async () => {
    const buffer = new Uint8Array([9, 1, 2, 3, 9]);
    expect(await sha256Hex(buffer.subarray(1, 4))).toBe(await sha256Hex(new Uint8Array([1, 2, 3])));
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSha256, hashStream, sha256Hex } from './sha256.ts';

function bytesOf(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 2654435761) >>> 24;
  return bytes;
}

const nodeSha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('sha256', () => {
  it("equals Node's sha256 for empty, small and multi-block inputs", async () => {
    for (const length of [0, 1, 55, 56, 64, 16 * 1024 + 3, 1_000_000]) {
      const bytes = bytesOf(length);
      expect(await sha256Hex(bytes), `length ${length}`).toBe(nodeSha256(bytes));
    }
  });

  it('gives the same digest fed in uneven chunks, and starts over after a digest', async () => {
    const bytes = bytesOf(300_001);
    const hasher = await createSha256();
    for (let offset = 0, step = 1; offset < bytes.length; offset += step, step = (step * 7) % 65_537) {
      hasher.update(bytes.subarray(offset, offset + step));
    }
    expect(hasher.digestHex()).toBe(nodeSha256(bytes));
    hasher.update(bytes.subarray(0, 10));
    expect(hasher.digestHex()).toBe(nodeSha256(bytes.subarray(0, 10)));
  });

  it('reset forgets what was hashed', async () => {
    const hasher = await createSha256();
    hasher.update(bytesOf(100));
    hasher.reset();
    expect(hasher.digestHex()).toBe(nodeSha256(new Uint8Array(0)));
  });

  it('hashes a stream and counts its bytes', async () => {
    const bytes = bytesOf(100_000);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 30_000) controller.enqueue(bytes.slice(offset, offset + 30_000));
        controller.close();
      },
    });
    const hasher = await createSha256();
    expect(await hashStream(hasher, stream)).toBe(100_000);
    expect(hasher.digestHex()).toBe(nodeSha256(bytes));
  });
});

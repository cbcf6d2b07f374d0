import { describe, expect, it } from 'vitest';
import { formatBytes } from './format.ts';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.00 KiB'],
    [2 ** 30, '1.00 GiB'],
    [4 * 2 ** 30 - 1, '4.00 GiB'],
    [150 * 2 ** 20, '150 MiB'],
    [12.5 * 2 ** 20, '12.5 MiB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

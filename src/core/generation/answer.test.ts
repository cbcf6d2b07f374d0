import { describe, expect, it } from 'vitest';
import { cleanAnswer } from './answer.ts';

describe('cleanAnswer', () => {
  it('strips the trained "\\n " tail and a literal </s>', () => {
    expect(cleanAnswer('Image A\n ')).toBe('Image A');
    expect(cleanAnswer('Noise and blur\n </s>')).toBe('Noise and blur');
    expect(cleanAnswer(' The image is sharp.\n\n  ')).toBe('The image is sharp.');
  });

  it('keeps inner newlines and text that only looks like a tail', () => {
    expect(cleanAnswer('First.\nSecond.\n ')).toBe('First.\nSecond.');
    expect(cleanAnswer('a </s> b')).toBe('a </s> b');
    expect(cleanAnswer('')).toBe('');
  });
});

import llamaTokenizer from 'llama-tokenizer-js';
import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';
import { createTextStream } from './textStream.ts';

/**
 * A decoder that behaves like LLaMA's SentencePiece one: ids 0–2 are special (skipped), ids 3–258 are
 * the byte-fallback pieces <0x00>…<0xFF>, '▁' stands for a space, and the dummy-prefix space of the
 * first piece is stripped.
 */
const WORDS = ['▁Image', '▁A', '▁B', '▁is', '▁better', '▁than', '.', ',', '▁blur', 'ry', '▁', '▁noise', '▁的', '图'];
const WORD_BASE = 259;
const utf8 = new TextDecoder();

function fakeDecode(ids: number[]): string {
  const bytes: number[] = [];
  for (const id of ids) {
    if (id <= 2) continue;
    if (id < WORD_BASE) bytes.push(id - 3);
    else bytes.push(...new TextEncoder().encode(WORDS[id - WORD_BASE]!.replaceAll('▁', ' ')));
  }
  const text = utf8.decode(new Uint8Array(bytes));
  return text.startsWith(' ') ? text.slice(1) : text;
}

const word = (piece: string): number => WORD_BASE + WORDS.indexOf(piece);
const byteIds = (text: string): number[] => Array.from(new TextEncoder().encode(text), (b) => b + 3);

function streamAll(ids: number[], decode: (ids: number[]) => string): { deltas: string[]; flushed: string } {
  const stream = createTextStream(decode);
  const deltas = ids.map((id) => stream.push(id));
  const flushed = stream.flush();
  expect(stream.text).toBe(decode(ids));
  return { deltas, flushed };
}

describe('createTextStream with a SentencePiece-like decoder', () => {
  it('keeps the spaces between words that a one-token decode would drop', () => {
    const ids = [word('▁Image'), word('▁A'), word('▁is'), word('▁better'), word('.')];
    const { deltas, flushed } = streamAll(ids, fakeDecode);
    expect(deltas).toEqual(['Image', ' A', ' is', ' better', '.']);
    expect(flushed).toBe('');
  });

  it('holds back a character split over byte tokens until its last byte', () => {
    const ids = [word('▁Image'), ...byteIds(' 你'), ...byteIds('🙂'), word('▁A')];
    const { deltas, flushed } = streamAll(ids, fakeDecode);
    expect(deltas).toEqual(['Image', ' ', '', '', '你', '', '', '', '🙂', ' A']);
    expect(flushed).toBe('');
    for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
  });

  it('flushes an incomplete character at the end as U+FFFD, as a full decode shows it', () => {
    const ids = [word('▁noise'), ...byteIds('你').slice(0, 2)];
    const { deltas, flushed } = streamAll(ids, fakeDecode);
    expect(deltas).toEqual(['noise', '', '']);
    expect(flushed).toBe('\uFFFD');
  });

  it('adds nothing for </s> and strips only the first piece\'s dummy space', () => {
    const ids = [word('▁'), word('▁B'), ...byteIds('\n'), word('▁'), 2];
    const { deltas, flushed } = streamAll(ids, fakeDecode);
    expect(deltas.join('') + flushed).toBe(fakeDecode(ids));
    expect(fakeDecode(ids)).toBe(' B\n ');
  });

  it('reassembles random streams exactly, emitting only final text', () => {
    const random = createRandom(17);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)]!;
    const chars = ['你', '好', '🙂', '👍🏽', 'é', '\n', ' ', 'ß'];
    for (let trial = 0; trial < 300; trial++) {
      const ids: number[] = [];
      const length = 1 + Math.floor(random.next() * 30);
      while (ids.length < length) {
        const r = random.next();
        if (r < 0.55) ids.push(WORD_BASE + Math.floor(random.next() * WORDS.length));
        else if (r < 0.9) ids.push(...byteIds(pick(chars)));
        else if (r < 0.95) ids.push(pick([0, 1, 2]));
        else ids.push(3 + 0x80 + Math.floor(random.next() * 0x40)); // a stray continuation byte
      }
      const { deltas, flushed } = streamAll(ids, fakeDecode);
      expect(deltas.join('') + flushed).toBe(fakeDecode(ids));
      const valid = !fakeDecode(ids).includes('\uFFFD');
      if (valid) for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
      // Never half a UTF-16 surrogate pair.
      for (const delta of deltas) expect(/[\uD800-\uDBFF]$/.test(delta)).toBe(false);
    }
  });
});

describe('createTextStream with the real LLaMA tokenizer', () => {
  // llama-tokenizer-js decodes bytes and strips the dummy space as LLaMA's SentencePiece does; it does not
  // skip special tokens, so they are filtered here as skip_special_tokens would.
  const decode = (ids: number[]): string => llamaTokenizer.decode(ids.filter((id) => id > 2), false, true);

  it.each([
    'Image A',
    'The image suffers from severe blur and noise, so Image B is better than Image A.\n ',
    '这张图片的质量很好，没有明显的失真。 🙂👍 Quality: 9/10 — très bien!',
    'Emoji only: 🚀🌈🧪 and a flag 🇫🇷 end.',
  ])('streams %j exactly', (text) => {
    const ids = llamaTokenizer.encode(text, false, true);
    expect(decode(ids)).toBe(text);
    const { deltas, flushed } = streamAll([...ids, 2], decode);
    expect(deltas.join('') + flushed).toBe(text);
    for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
  });

  it('emits "Image" then " A" for the trained brief answer', () => {
    const { deltas } = streamAll([7084, 319, 13, 29871, 2], decode);
    expect(deltas).toEqual(['Image', ' A', '\n', ' ', '']);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markedRandom, RANDOM_WEIGHTS_KEY } from './convertBundle.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'random-weights-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('markedRandom', () => {
  it('is true only for an LLM config that says depictqa_random_weights: true', async () => {
    const check = async (extra: Record<string, unknown>) => {
      await writeFile(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', ...extra }));
      return markedRandom(dir);
    };
    expect(RANDOM_WEIGHTS_KEY).toBe('depictqa_random_weights');
    expect(await check({ depictqa_random_weights: true })).toBe(true);
    expect(await check({})).toBe(false);
    // Only the boolean counts: a string "true" is someone else's field, not the marker.
    expect(await check({ depictqa_random_weights: 'true' })).toBe(false);
    expect(await check({ depictqa_random_weights: false })).toBe(false);
  });
});

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectUpstreamPython, upstreamSkip } from '../../testing/upstreamPython.ts';
import { UPSTREAM_FIXTURE_PATH, upstreamFixtureText } from './makeUpstreamFixture.ts';

/**
 * The committed fixture is what transformers 4.35.0 (DepictQA's pin) writes today: the oracle runs again and must
 * give the same bytes. Outside CI, without the oracle environment, this skips with the reason printed.
 */
describe.skipIf(upstreamSkip('transformers 4.35.0 tokenizer oracle'))('transformers 4.35.0 tokenizer oracle', () => {
  it('writes exactly the committed upstreamTokenizer.json', { timeout: 120_000 }, async () => {
    const python = detectUpstreamPython().python!;
    expect(await upstreamFixtureText(python)).toBe(await readFile(UPSTREAM_FIXTURE_PATH, 'utf8'));
  });
});

/**
 * Writes src/core/prompt/fixtures/upstreamTokenizer.json: every prompt chunk, every built-in question, odd typed
 * questions, the brief re-ask and answers, tokenized and decoded by transformers 4.35.0's slow LlamaTokenizer as
 * DepictQA calls it (make_upstream_fixture.py), on the tiny model's tokenizer.model (LLaMA's vocabulary and
 * merges) with Vicuna's tokenizer_config.json. The engine's tests compare against it.
 *
 *   npx tsx tools/oracles/tokenizer/makeUpstreamFixture.ts      (needs the oracle venv: tools/oracles/venv/setup.sh)
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { detectUpstreamPython, UPSTREAM_ENV } from '../../testing/upstreamPython.ts';
import { writeVicunaTokenizer } from '../../tiny/tokenizer.ts';

export const UPSTREAM_FIXTURE_PATH = fileURLToPath(new URL('../../../src/core/prompt/fixtures/upstreamTokenizer.json', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./make_upstream_fixture.py', import.meta.url));
const PROMPTS = fileURLToPath(new URL('../../../src/core/prompt/prompts.json', import.meta.url));

/** The fixture's text as the oracle writes it now, each id list on one line. */
export async function upstreamFixtureText(python: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'upstream-tokenizer-'));
  try {
    await writeVicunaTokenizer(dir);
    const json = execFileSync(python, [SCRIPT, dir, PROMPTS], { encoding: 'utf8', env: UPSTREAM_ENV, maxBuffer: 64 << 20 });
    return formatIdLists(JSON.stringify(JSON.parse(json), null, 1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** JSON with each list of integers on one line, so the file stays short and diffs stay readable. */
export function formatIdLists(json: string): string {
  return `${json.replace(/\[\s+(-?\d[\d,\s-]*?)\s+\]/gu, (_, ids: string) => `[${ids.split(/,\s*/u).join(', ')}]`)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const upstream = detectUpstreamPython();
  if (upstream.python === undefined) throw new Error(upstream.skipReason);
  await writeFile(UPSTREAM_FIXTURE_PATH, await upstreamFixtureText(upstream.python));
  console.log(`wrote ${UPSTREAM_FIXTURE_PATH}`);
}

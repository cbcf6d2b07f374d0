import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectTorchPython, makeTempDir } from '../checkpoint/testing/support.ts';

const SCRIPT = fileURLToPath(new URL('./make_confidence_fixture.py', import.meta.url));
const COMMITTED = fileURLToPath(new URL('../../src/core/confidence/fixtures/upstreamConfidence.json', import.meta.url));

const torch = detectTorchPython();
if (torch.skipReason) console.warn(`Skipping the confidence fixture's regeneration check: ${torch.skipReason}`);

let temp: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  temp = await makeTempDir('confidence-fixture');
});
afterAll(() => temp.remove());

describe.skipIf(!torch.python)('make_confidence_fixture.py', () => {
  it('writes exactly the committed fixture', async () => {
    const out = join(temp.path, 'upstreamConfidence.json');
    execFileSync(torch.python as string, [SCRIPT, out], { encoding: 'utf8' });
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(JSON.parse(await readFile(COMMITTED, 'utf8')));
  }, 60_000);
});

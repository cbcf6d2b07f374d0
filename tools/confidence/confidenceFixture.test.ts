import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectTorchPython, makeTempDir } from '../../converter/checkpoint/testing/support.ts';
import { jsonDifferences } from '../testing/jsonDifferences.ts';

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
    const fresh = JSON.parse(await readFile(out, 'utf8')) as Fixture;
    const committed = JSON.parse(await readFile(COMMITTED, 'utf8')) as Fixture;
    // float32 to rounding, which differs with the CPU's kernels (seen: importances 1 − cos two ulps of 1 apart, so
    // two near-equal importances may swap places in the order: the order is compared by the importances it lists).
    expect(jsonDifferences(rankedImportances(fresh), rankedImportances(committed), { absolute: 1e-6 })).toEqual([]);
  }, 60_000);
});

interface Fixture {
  detail: Array<{ importance: number[]; order: number[] }>;
}

/** The fixture with each detailed answer's order given as the importances it ranks. */
function rankedImportances(fixture: Fixture): Fixture {
  return { ...fixture, detail: fixture.detail.map((d) => ({ ...d, order: d.order.map((position) => d.importance[position]!) })) };
}

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fixture from './fixtures/eval_merge.json';
import { mergeShards } from './merge.ts';
import { jsonDifferences } from '../../tools/testing/jsonDifferences.ts';
import { SCIPY_PYTHON, scipySkipReason } from '../../tools/testing/scipyPython.ts';
import { writeShard } from './testing/writeShard.ts';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'depictqa-eval-merge-'));
});

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('merge against SciPy (fixtures/eval_merge.json)', () => {
  it('voting scores, per-group SRCC and PLCC after the logistic fit, their means and the pooled numbers', async () => {
    const out = join(root, 'groups');
    await writeShard(
      out,
      'csv',
      fixture.groups.map((g) => ({ key: g.key, hasReference: true, images: g.images })),
      fixture.groups.flatMap((g) => g.records.map((r) => ({ group: g.key, ...r }))),
    );
    const { summary, scores } = await mergeShards(out);
    const expected = fixture.expected;
    expect(summary.perGroup.map((g) => g.group)).toEqual(expected.perGroup.map((g) => g.group));
    summary.perGroup.forEach((group, k) => {
      const want = expected.perGroup[k]!;
      expect(group.voting.srcc).toBeCloseTo(want.srcc, 12);
      // Two Levenberg–Marquardt solvers stop at slightly different points of the same optimum (5e-7 apart
      // in PLCC on the 5-image group).
      expect(group.voting.plcc).toBeCloseTo(want.plcc, 5);
      const voting = scores.filter((s) => s.group === group.group).map((s) => s.voting!);
      voting.forEach((v, i) => expect(v).toBeCloseTo(want.voting[i]!, 12));
    });
    expect(summary.srcc).toBeCloseTo(expected.srcc, 12);
    expect(summary.plcc).toBeCloseTo(expected.plcc, 5);
    expect(summary.pooled.voting.srcc).toBeCloseTo(expected.pooled.srcc, 12);
    expect(summary.pooled.voting.plcc).toBeCloseTo(expected.pooled.plcc, 5);
    expect(summary.comparisons).toBe(fixture.groups.reduce((n, g) => n + g.records.length, 0));
    expect(summary.twoAfc).toBeNull();
  });

  it('2AFC of triplets: both orders folded on the log-odds scale, p·h + (1 − p)(1 − h)', async () => {
    const out = join(root, 'triplets');
    const t = fixture.triplets;
    const names = [...new Set(t.records.flatMap((r) => [r.imageA, r.imageB]))];
    const index = (name: string) => names.indexOf(name);
    await writeShard(
      out,
      'triplets',
      [{ key: t.key, hasReference: true, images: names.map((name) => ({ name, mos: null })), triplets: t.triplets.map((x) => ({ a: index(x.a), b: index(x.b), humanPrefersA: x.humanPrefersA })) }],
      t.records.map((r) => ({ group: t.key, ...r })),
    );
    const { summary } = await mergeShards(out);
    expect(summary.twoAfc!.triplets).toBe(t.triplets.length);
    expect(summary.twoAfc!.score).toBeCloseTo(t.twoAfc, 12);
    expect(summary.srcc).toBeNull();
  });

  it.skipIf(scipySkipReason('the SciPy rerun of make_eval_fixture.py') !== null)('the committed fixture is what the script writes', async () => {
    const out = join(root, 'eval_merge.json');
    execFileSync(SCIPY_PYTHON, [new URL('./make_eval_fixture.py', import.meta.url).pathname, out], { stdio: 'pipe' });
    // The same records; the statistics to rounding, which differs with the CPU's BLAS kernels (seen: 1 ulp).
    expect(jsonDifferences(JSON.parse(await readFile(out, 'utf8')), fixture, { relative: 1e-9 })).toEqual([]);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeEngineHost } from '../../../cli/host/nodeHost.ts';
import { buildTinyBundle, mergedWeights, referenceFor, type TinyBundle } from '../../../cli/host/testing/tinyBundle.ts';
import { nodeOrt } from '../../../cli/host/ortNode.ts';
import { runDecodeProbe } from './decodeProbe.ts';
import { createRunLog, timedOrt } from './timedOrt.ts';

let root: string;
let bundle: TinyBundle;

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-probe-'));
  bundle = await buildTinyBundle(root, ['q4']);
}, 120_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

describe('decode probe', () => {
  it('feeds one position per run after BOS and decodes the reference forward pass greedy tokens', async () => {
    const log = createRunLog();
    const host = nodeEngineHost();
    const timed = { ...host, runtime: async (...args: Parameters<typeof host.runtime>) => timedOrt(await host.runtime(...args), log) };
    const lines: string[] = [];
    const result = await runDecodeProbe(timed, log, { source: { kind: 'path', path: bundle.bundleDir }, options: { variant: 'q4', maxContext: 64 }, steps: 4 }, (line) => lines.push(line));

    expect(result.steps.map((step) => step.past)).toEqual([1, 2, 3, 4]);
    for (const step of result.steps) {
      expect(step.decoderRunMs).toBeGreaterThan(0);
      expect(step.ms).toBeGreaterThanOrEqual(step.decoderRunMs);
    }
    // The last step's runs are still in the log: one position through embed_tokens and through the decoder.
    expect(log.records.map((record) => [record.graph, record.positions])).toEqual([
      ['embed_tokens', 1],
      ['decoder', 1],
    ]);
    const bos = 1; // LLaMA's <s>
    expect(result.tokens[0]).toBe(bos);
    const reference = referenceFor(bundle, await mergedWeights(bundle), 'q4');
    expect(result.tokens.slice(1)).toEqual(reference.greedy([bos], 5, null));
    expect(lines.length).toBe(6);
  });
});

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleManifest } from '../../../src/core/bundle/manifest.ts';
import { randomSlotImages } from '../../../cli/host/testing/testImages.ts';
import { buildTinyBundle, type TinyBundle } from '../../../cli/host/testing/tinyBundle.ts';
import { describeOnNodeGpu } from '../../../cli/host/testing/nodeGpuSuite.ts';
import { createNodeEngine } from '../../../cli/host/nodeHost.ts';
import { nodeOrt } from '../../../cli/host/ortNode.ts';
import { llamaConfigFor, writeDirectBundle, type DirectBundle } from './directBundle.ts';
import type { DeviceRecord } from './measureDevice.ts';

let root: string;
let converted: TinyBundle;
let direct: DirectBundle;

beforeAll(async () => {
  await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-direct-'));
  converted = await buildTinyBundle(join(root, 'converted'), ['q4'], { vision: true });
  direct = await writeDirectBundle(join(root, 'direct'), 'tiny', 'q4');
}, 180_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

/** What the layout of a bundle is, without its values: every graph's files, inputs and outputs, the model's numbers. */
function layout(manifest: BundleManifest) {
  return {
    variants: manifest.variants,
    llm: manifest.llm,
    vision: manifest.vision,
    tokenizer: manifest.tokenizer,
    graphs: manifest.graphs,
    files: manifest.files.map((file) => file.path),
    template: manifest.model.template,
  };
}

describe('a bundle written directly (bench:device)', () => {
  it("has the converter's manifest and graph layout for the same shape, and says its weights are random", async () => {
    const convertedManifest = (await import('../../../cli/host/folderBundle.ts')).readBundleManifest(converted.bundleDir);
    expect(layout(direct.manifest)).toEqual(layout(await convertedManifest));
    expect(direct.manifest.model.randomWeights).toBe(true);
    expect(direct.manifest.converter.name).toBe('depictqa-web convert');
  });

  it("opens through the engine's load path unchanged and answers with finite logits", async () => {
    const engine = createNodeEngine();
    try {
      const model = await engine.load({ kind: 'path', path: direct.dir }, undefined, { variant: 'q4', maxContext: 512 });
      expect(model).toMatchObject({ variant: 'q4', hasVisionEncoder: true });
      const images = await randomSlotImages({ reference: [70, 84], a: [98, 70], b: [84, 84] }, 7);
      const answer = await engine.generate({ task: 'comparison', images, maxNewTokens: 4 });
      expect(answer.ids.length).toBeGreaterThan(0);
      expect(answer.comparison).not.toBeNull();
      expect(Number.isFinite(answer.comparison!.pA)).toBe(true);
    } finally {
      await engine.unload();
    }
  }, 120_000);
});

await describeOnNodeGpu('npm run bench:device on the GPU', () => {
  it('--shape tiny --symmetric --json prints one record with every number finite', async () => {
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const args = ['tools/bench/device.ts', '--shape', 'tiny', '--steps', '4', '--symmetric', '--json'];
    const { stdout } = await promisify(execFile)(tsx, args, { maxBuffer: 1 << 24 });
    const record = JSON.parse(stdout) as DeviceRecord;
    const numbers = ['decodeTokensPerSecond', 'prefillTokensPerSecond', 'ttftMs', 'visionMs', 'dispatchesPerStep', 'hostMsPerStep', 'weightBytes', 'bandwidthGBs', 'rooflineFraction'] as const;
    for (const key of numbers) {
      expect(Number.isFinite(record[key]), key).toBe(true);
      expect(record[key], key).toBeGreaterThan(0);
    }
    expect(record).toMatchObject({ shape: 'tiny', form: 'qkv, symmetric', graphCapture: { enabled: false } });
    // Without zero points onnxruntime folds each layer's MLP into one program: 9 per layer, 3 outside.
    expect(record.dispatchesPerStep).toBe(9 * llamaConfigFor('tiny').num_hidden_layers + 3);
    expect(record.adapter.length).toBeGreaterThan(0);
    expect(record.graphCapture.reason).toMatch(/onnxruntime-node/);
  }, 300_000);
});

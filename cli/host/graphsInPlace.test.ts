/**
 * onnxruntime-node opens a folder bundle's graphs where they lie: the .onnx and its external-data chunks are
 * verified on disk, then the session is created from the .onnx's path and onnxruntime reads the chunks itself.
 * Checked on onnxruntime-node's CPU EP (always there) and on its WebGPU EP where Node has an adapter: the graphs
 * compute what the same graphs compute with their chunks read whole, no file is read into JS memory, and a damaged
 * chunk fails before any session is created.
 */
import { cp, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleFiles } from '../../src/core/bundle/bundleFiles.ts';
import { graphsFor, type BundleVariant, type GraphSpec } from '../../src/core/bundle/manifest.ts';
import type { Backend } from '../../src/core/capabilities.ts';
import { fromFloat16Bits } from '../../src/core/float16.ts';
import { opensGraphsFromDisk } from '../../src/engine/runtime/externalData.ts';
import { openGraphSession, type Ort, type OrtSession } from '../../src/engine/runtime/graphSession.ts';
import { DecoderSession } from '../../converter/llama/testing/decoderSession.ts';
import { openFolderBundle } from './folderBundle.ts';
import { nodeGpuOrt } from './nodeGpu.ts';
import { recordWholeReads } from './testing/recordingBundle.ts';
import { describeOnNodeGpu } from './testing/nodeGpuSuite.ts';
import { buildTinyBundle, type TinyBundle } from './testing/tinyBundle.ts';

let root: string;
let bundle: TinyBundle;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'depictqa-in-place-'));
  bundle = await buildTinyBundle(root, ['fp32', 'q4', 'q4f16']);
}, 120_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

/** The folder bundle with every whole read recorded; `inPlace: false` hides `localPath`, so chunks are read whole. */
async function recordingFiles(dir: string, inPlace: boolean) {
  const files = await openFolderBundle(dir);
  const localPaths: string[] = [];
  const { files: recording, wholeReads } = recordWholeReads(files);
  if (inPlace) {
    recording.localPath = (path) => {
      localPaths.push(path);
      return files.localPath!(path);
    };
  }
  return { files: recording, wholeReads, localPaths };
}

/** onnxruntime-node in the engine's shape, counting the sessions it creates and what each was created from. */
function countingOrt() {
  const ort = nodeGpuOrt();
  const created: Array<{ model: 'bytes' | 'path'; externalData: boolean }> = [];
  const create = ort.InferenceSession.create as (model: Uint8Array | string, options: { externalData?: unknown }) => Promise<OrtSession>;
  const InferenceSession = {
    create: (model: Uint8Array | string, options: { externalData?: unknown }) => {
      created.push({ model: typeof model === 'string' ? 'path' : 'bytes', externalData: options.externalData !== undefined });
      return create(model, options);
    },
  };
  return { ort: { ...ort, InferenceSession } as unknown as Ort, created };
}

/** The embedding rows of a few ids, then the decoder's logits for those rows and one more step. */
async function computeWith(ort: Ort, embed: OrtSession, decoder: OrtSession, variant: BundleVariant): Promise<{ rows: Float32Array; logits: Float32Array[] }> {
  const ids = new ort.Tensor('int64', BigInt64Array.from([1n, 5n, 17n, 300n, 42n]), [1, 5]);
  // [1, 5, hidden]: float16 bits in the q4f16 variant, widened exactly for the decoder's feed.
  const data = (await embed.run({ input_ids: ids })).inputs_embeds!.data as Float32Array | Uint16Array;
  const rows = data instanceof Uint16Array ? fromFloat16Bits(data) : data;
  const hidden = bundle.config.hidden_size;
  const steps = new DecoderSession(ort, decoder, bundle.config, variant, { kind: 'static', maxSequence: 16 });
  const logits = [await steps.step(rows.slice(0, 4 * hidden)), await steps.step(rows.slice(4 * hidden))];
  return { rows, logits };
}

/** Opens embed_tokens and the decoder of `variant` through `files`, computes, and releases the sessions. */
async function openAndCompute(ort: Ort, files: BundleFiles, variant: BundleVariant, backend: Backend) {
  const graphs = graphsFor(files.manifest, variant);
  const embed = await openGraphSession(ort, files, graphs.get('embed_tokens')!, { backend: 'wasm' });
  const decoder = await openGraphSession(ort, files, graphs.get('decoder')!, { backend, disableCpuFallback: backend === 'webgpu' });
  try {
    return await computeWith(ort, embed, decoder, variant);
  } finally {
    await Promise.all([embed.release(), decoder.release()]);
  }
}

const chunksOf = (graphs: GraphSpec[]) => graphs.flatMap((graph) => graph.externalData);

function expectSameBits(a: { rows: Float32Array; logits: Float32Array[] }, b: { rows: Float32Array; logits: Float32Array[] }) {
  expect(a.rows.length).toBe(5 * bundle.config.hidden_size);
  expect(new Uint8Array(a.rows.buffer, a.rows.byteOffset, a.rows.byteLength)).toEqual(new Uint8Array(b.rows.buffer, b.rows.byteOffset, b.rows.byteLength));
  expect(a.logits.map((row) => row.length)).toEqual([bundle.config.vocab_size, bundle.config.vocab_size]);
  a.logits.forEach((row, i) => expect(new Uint8Array(row.buffer, row.byteOffset, row.byteLength)).toEqual(new Uint8Array(b.logits[i]!.buffer, b.logits[i]!.byteOffset, b.logits[i]!.byteLength)));
}

describe('graphs opened in place (onnxruntime-node, CPU EP)', () => {
  it('is what onnxruntime-node gets, and not onnxruntime-web', () => {
    expect(opensGraphsFromDisk(nodeGpuOrt())).toBe(true);
    expect(opensGraphsFromDisk({ env: { versions: { common: '1', web: '1' } } })).toBe(false);
  });

  for (const variant of ['fp32', 'q4'] as const) {
    it(`${variant}: compute bit for bit what the graphs with their chunks read whole compute, and read no file into memory`, async () => {
      const inPlace = await recordingFiles(bundle.bundleDir, true);
      const whole = await recordingFiles(bundle.bundleDir, false);
      const counted = countingOrt();
      const graphs = graphsFor(inPlace.files.manifest, variant);
      const opened = [graphs.get('embed_tokens')!, graphs.get('decoder')!];

      const a = await openAndCompute(counted.ort, inPlace.files, variant, 'wasm');
      const b = await openAndCompute(nodeGpuOrt(), whole.files, variant, 'wasm');

      // 1. In place: every file verified where it lies, none read whole, sessions created from paths alone.
      expect(inPlace.wholeReads).toEqual([]);
      expect(inPlace.localPaths).toEqual(opened.flatMap((graph) => [graph.path, ...graph.externalData]));
      expect(counted.created).toEqual([
        { model: 'path', externalData: false },
        { model: 'path', externalData: false },
      ]);
      // The control: without `localPath`, the .onnx and every chunk are read whole.
      expect(chunksOf(opened).length).toBeGreaterThan(0);
      expect(whole.wholeReads).toEqual(opened.flatMap((graph) => [graph.path, ...graph.externalData]));

      // 2. The same weights: identical embedding rows and logits.
      expectSameBits(a, b);
    }, 120_000);
  }

  it('a chunk with one byte flipped fails with BUNDLE_HASH_MISMATCH naming it, before any session is created', async () => {
    const copy = join(root, 'damaged');
    await cp(bundle.bundleDir, copy, { recursive: true });
    const { files, wholeReads } = await recordingFiles(copy, true);
    const decoder = graphsFor(files.manifest, 'q4').get('decoder')!;
    const damaged = decoder.externalData.at(-1)!;
    const handle = await open(join(copy, damaged), 'r+');
    try {
      const byte = new Uint8Array(1);
      await handle.read(byte, 0, 1, 1000);
      byte[0] = byte[0]! ^ 0xff;
      await handle.write(byte, 0, 1, 1000);
    } finally {
      await handle.close();
    }
    const counted = countingOrt();
    const opening = openGraphSession(counted.ort, files, decoder, { backend: 'wasm' });
    await expect(opening).rejects.toMatchObject({ code: 'BUNDLE_HASH_MISMATCH', message: expect.stringContaining(join(copy, damaged)) });
    expect(counted.created).toEqual([]);
    expect(wholeReads).toEqual([]);
  }, 120_000);

  it('a bundle whose files do not keep its layout on disk is refused rather than opened from the wrong files', async () => {
    const files = await openFolderBundle(bundle.bundleDir);
    const decoder = graphsFor(files.manifest, 'q4').get('decoder')!;
    const moved: BundleFiles = {
      ...files,
      localPath: async (path) => (path === decoder.path ? join(root, 'elsewhere', path) : files.localPath!(path)),
    };
    const counted = countingOrt();
    await expect(openGraphSession(counted.ort, moved, decoder, { backend: 'wasm' })).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('layout') });
    expect(counted.created).toEqual([]);
  });
});

await describeOnNodeGpu('graphs opened in place (onnxruntime-node, WebGPU EP)', () => {
  it('q4f16: the decoder on the GPU computes bit for bit what it computes with its chunks read whole', async () => {
    const inPlace = await recordingFiles(bundle.bundleDir, true);
    const whole = await recordingFiles(bundle.bundleDir, false);
    const counted = countingOrt();
    const a = await openAndCompute(counted.ort, inPlace.files, 'q4f16', 'webgpu');
    const b = await openAndCompute(nodeGpuOrt(), whole.files, 'q4f16', 'webgpu');
    expect(inPlace.wholeReads).toEqual([]);
    expect(counted.created.every((session) => session.model === 'path' && !session.externalData)).toBe(true);
    expectSameBits(a, b);
  }, 120_000);
});

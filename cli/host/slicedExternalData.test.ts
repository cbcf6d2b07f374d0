import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleFiles, FileSlices } from '../../src/core/bundle/bundleFiles.ts';
import { graphsFor } from '../../src/core/bundle/manifest.ts';
import { AppError } from '../../src/core/errors.ts';
import { readsExternalDataInSlices } from '../../src/engine/runtime/externalData.ts';
import { openGraphSession, type Ort } from '../../src/engine/runtime/graphSession.ts';
import { nodeOrt } from './ortNode.ts';
import { openFolderBundle } from './folderBundle.ts';
import { recordWholeReads } from './testing/recordingBundle.ts';
import { buildTinyBundle, type TinyBundle } from './testing/tinyBundle.ts';

let root: string;
let bundle: TinyBundle;
let ort: Ort;

beforeAll(async () => {
  ort = await nodeOrt();
  root = await mkdtemp(join(tmpdir(), 'depictqa-sliced-'));
  bundle = await buildTinyBundle(root, ['fp32', 'q4']);
}, 120_000);

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

/** The folder bundle, recording which files were read whole and each part read through `openSlices`. */
async function recordingFiles(sliced: boolean) {
  const files = await openFolderBundle(bundle.bundleDir);
  const parts = new Map<string, number[]>();
  const closed: string[] = [];
  const { files: recording, wholeReads } = recordWholeReads(files);
  if (sliced) {
    recording.openSlices = async (path): Promise<FileSlices> => {
      const slices = await files.openSlices!(path);
      parts.set(path, []);
      return {
        byteLength: slices.byteLength,
        read: (offset, length) => {
          parts.get(path)!.push(length);
          return slices.read(offset, length);
        },
        close: () => {
          closed.push(path);
          slices.close();
        },
      };
    };
  }
  return { files: recording, wholeReads, parts, closed };
}

describe('external data read in parts (onnxruntime-web wasm in Node)', () => {
  it('is what onnxruntime-web gets', () => {
    expect(readsExternalDataInSlices(ort)).toBe(true);
  });

  for (const variant of ['fp32', 'q4'] as const) {
    it(`${variant}: every graph opens without its chunk read whole, and computes what the whole-read graph computes`, async () => {
      const sliced = await recordingFiles(true);
      const whole = await recordingFiles(false);
      const graphs = graphsFor(sliced.files.manifest, variant);
      const embed = graphs.get('embed_tokens')!;
      const decoder = graphs.get('decoder')!;

      const slicedEmbed = await openGraphSession(ort, sliced.files, embed, { backend: 'wasm' });
      const slicedDecoder = await openGraphSession(ort, sliced.files, decoder, { backend: 'wasm' });
      const wholeEmbed = await openGraphSession(ort, whole.files, embed, { backend: 'wasm' });
      try {
        // 1. Only the .onnx files were read whole. Each chunk was read one initializer at a time: the decoder's
        // in many parts, none of them the whole chunk (embed_tokens' chunk is its one table).
        expect(sliced.wholeReads).toEqual([embed.path, decoder.path]);
        const sizeOf = (path: string) => sliced.files.manifest.files.find((file) => file.path === path)!.bytes;
        for (const path of [...embed.externalData, ...decoder.externalData]) {
          const total = sliced.parts.get(path)!.reduce((sum, length) => sum + length, 0);
          expect(total).toBeGreaterThan(0);
          expect(total).toBeLessThanOrEqual(sizeOf(path));
        }
        for (const path of decoder.externalData) {
          const lengths = sliced.parts.get(path)!;
          expect(lengths.length).toBeGreaterThan(bundle.config.num_hidden_layers);
          expect(Math.max(...lengths)).toBeLessThan(sizeOf(path));
        }
        expect(sliced.closed.sort()).toEqual([...embed.externalData, ...decoder.externalData].sort());

        // 2. The same bytes: the embedding rows are identical.
        const ids = new ort.Tensor('int64', BigInt64Array.from([1n, 5n, 17n, 300n]), [1, 4]);
        const a = (await slicedEmbed.run({ input_ids: ids })).inputs_embeds!.data as Float32Array;
        const b = (await wholeEmbed.run({ input_ids: ids })).inputs_embeds!.data as Float32Array;
        expect(a.length).toBe(4 * bundle.config.hidden_size);
        expect(Array.from(a)).toEqual(Array.from(b));
      } finally {
        await Promise.all([slicedEmbed.release(), slicedDecoder.release(), wholeEmbed.release()]);
      }
    }, 120_000);
  }

  it('a chunk that cannot be read fails the load with the reader\'s error, not onnxruntime\'s status', async () => {
    const files = await openFolderBundle(bundle.bundleDir);
    const decoder = graphsFor(files.manifest, 'q4').get('decoder')!;
    let reads = 0;
    const failing: BundleFiles = {
      ...files,
      openSlices: async (path) => {
        const slices = await files.openSlices!(path);
        return {
          ...slices,
          read: (offset, length) => {
            if (++reads === 3) throw new AppError('BUNDLE_FILE_MISSING', `${path} can no longer be read (NotReadableError).`);
            return slices.read(offset, length);
          },
        };
      },
    };
    const opening = openGraphSession(ort, failing, decoder, { backend: 'wasm' });
    await expect(opening).rejects.toMatchObject({ code: 'BUNDLE_FILE_MISSING', message: expect.stringContaining('can no longer be read') });
  }, 120_000);
});

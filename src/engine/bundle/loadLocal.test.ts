import { describe, expect, it } from 'vitest';
import type { LoadProgress } from '../../core/bundle/bundleFiles.ts';
import { rejection } from '../../core/testing/rejection.ts';
import { loadLocal } from './loadLocal.ts';
import { folderFromFiles, type LocalFile } from '../../core/bundle/localFolder.ts';
import { makeTestBundle } from '../../core/bundle/testing/testBundle.ts';
import { variantFiles } from '../../core/bundle/variantFiles.ts';

/** The bundle as a dropped folder: every file under `bundle/`, with the manifest as JSON. */
async function droppedFolder(edit?: (files: Map<string, Uint8Array>) => void, root = 'bundle/'): Promise<LocalFile[]> {
  const { manifest, files } = makeTestBundle();
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
  edit?.(files);
  return [...files].map(([path, data]) => ({ path: `${root}${path}`, file: new File([data as Uint8Array<ArrayBuffer>], path.split('/').pop()!) }));
}

describe('folderFromFiles', () => {
  it('finds the bundle root at the shallowest manifest.json, so a parent folder works too', async () => {
    const folder = folderFromFiles([...(await droppedFolder(undefined, 'models/tiny/')), { path: 'models/notes.txt', file: new File(['x'], 'notes.txt') }]);
    expect(folder.name).toBe('tiny');
    expect((await folder.file('onnx/decoder_model_merged_q4.onnx_data'))?.size).toBe(20_000);
    expect(await folder.file('notes.txt')).toBeNull();
  });

  it('reads paths from webkitRelativePath when given plain Files', async () => {
    const file = new File(['{}'], 'manifest.json');
    Object.defineProperty(file, 'webkitRelativePath', { value: 'picked/manifest.json' });
    const folder = folderFromFiles([file]);
    expect(folder.name).toBe('picked');
    expect(await folder.file('manifest.json')).toBe(file);
  });

  it('says so when there is no manifest', () => {
    expect(() => folderFromFiles([{ path: 'photos/a.png', file: new File(['x'], 'a.png') }])).toThrow(
      'The chosen folder "photos" has no manifest.json (1 files).',
    );
  });
});

describe('loadLocal', () => {
  it("checks sizes up front, reports every file as present, and hands out the selected variant's bytes", async () => {
    const { files } = makeTestBundle();
    const events: LoadProgress[] = [];
    const bundle = await loadLocal(folderFromFiles(await droppedFolder()), {
      selectFiles: (manifest) => variantFiles(manifest, 'q4'),
      onProgress: (event) => events.push(event),
    });
    expect(bundle.label).toBe('bundle');
    expect(bundle.cacheKey).toBeNull();
    expect(bundle.files).toHaveLength(5);
    expect(events.map((event) => event.file)).toEqual(bundle.files);
    expect(events.every((event) => event.fromCache)).toBe(true);
    expect(events.at(-1)).toMatchObject({ bytesLoaded: 24_420, bytesTotal: 24_420, etaSeconds: 0 });
    const weights = await bundle.read('onnx/decoder_model_merged_q4.onnx_data');
    expect(weights).toEqual(files.get('onnx/decoder_model_merged_q4.onnx_data'));
    await expect(bundle.read('onnx/decoder_model_merged_fp32.onnx_data')).rejects.toThrow(
      'onnx/decoder_model_merged_fp32.onnx_data is not part of the bundle loaded from the folder "bundle".',
    );
  });

  it('names a missing file and a half-copied one before reading anything', async () => {
    const missing = await rejection(loadLocal(folderFromFiles(await droppedFolder((files) => files.delete('tokenizer.json'))), {}));
    expect(missing.code).toBe('BUNDLE_FILE_MISSING');
    expect(missing.message).toBe('tokenizer.json is missing from the folder "bundle".');

    const cut = (files: Map<string, Uint8Array>) => files.set('onnx/decoder_model_merged_q4.onnx_data', files.get('onnx/decoder_model_merged_q4.onnx_data')!.subarray(0, 8192));
    const short = await rejection(loadLocal(folderFromFiles(await droppedFolder(cut)), {}));
    expect(short.code).toBe('BUNDLE_FILE_SIZE_MISMATCH');
    expect(short.message).toBe('onnx/decoder_model_merged_q4.onnx_data: the folder "bundle" has 8192 bytes, but the manifest says 20000.');
  });

  it('verifies sha256 as a file is read, naming a damaged file', async () => {
    const damage = (files: Map<string, Uint8Array>) => {
      const bytes = files.get('onnx/embed_tokens_q4.onnx')!.slice();
      bytes[10] = bytes[10]! ^ 0x40;
      files.set('onnx/embed_tokens_q4.onnx', bytes);
    };
    const bundle = await loadLocal(folderFromFiles(await droppedFolder(damage)), {});
    await expect(bundle.read('tokenizer.json')).resolves.toHaveLength(3000);
    const error = await rejection(bundle.read('onnx/embed_tokens_q4.onnx'));
    expect(error.code).toBe('BUNDLE_HASH_MISMATCH');
    expect(error.message).toMatch(/^onnx\/embed_tokens_q4\.onnx in the folder "bundle": its sha256 is [0-9a-f]{64}, but the manifest says [0-9a-f]{64}\.$/);
  });

  it('refuses a manifest that is not JSON, or from a newer converter', async () => {
    const garbled = await rejection(loadLocal(folderFromFiles(await droppedFolder((files) => files.set('manifest.json', new TextEncoder().encode('{"schemaVersion": 1,')))), {}));
    expect(garbled.code).toBe('MANIFEST_INVALID');
    expect(garbled.message).toMatch(/^bundle\/manifest\.json is not JSON: /);

    const newer = await rejection(
      loadLocal(folderFromFiles(await droppedFolder((files) => files.set('manifest.json', new TextEncoder().encode('{"schemaVersion": 99}')))), {}),
    );
    expect(newer.message).toBe('bundle/manifest.json has schema version 99; this app reads version 1.');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import tinyJson from './fixtures/tinyManifest.json' with { type: 'json' };
import { fetchManifest, readFolderManifest } from './readManifest.ts';

const text = JSON.stringify(tinyJson);

function serve(respond: (url: string) => Response | Promise<never>): string[] {
  const asked: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    asked.push(url);
    return respond(url);
  });
  return asked;
}

afterEach(() => vi.unstubAllGlobals());

describe('fetchManifest', () => {
  it('fetches manifest.json under the normalised prefix and keeps the text as served', async () => {
    const asked = serve(() => new Response(text));
    const fetched = await fetchManifest('https://host/models/tiny');
    expect(asked).toEqual(['https://host/models/tiny/manifest.json']);
    expect(fetched).toMatchObject({ kind: 'fetched', prefix: 'https://host/models/tiny/', text });
    expect(fetched.kind === 'fetched' && fetched.manifest.variants.length).toBeGreaterThan(0);
  });

  it('says what is wrong: no bundle, a refusal, a web page instead of the folder', async () => {
    serve(() => new Response('', { status: 404 }));
    await expect(fetchManifest('https://host/x/')).rejects.toMatchObject({ code: 'BUNDLE_NOT_FOUND' });
    serve(() => new Response('', { status: 403 }));
    await expect(fetchManifest('https://host/x/')).rejects.toMatchObject({ code: 'BUNDLE_DOWNLOAD_FAILED' });
    serve(() => new Response('<html>'));
    await expect(fetchManifest('https://host/x/')).rejects.toMatchObject({ code: 'MANIFEST_INVALID', hint: expect.stringMatching(/web page/) });
  });

  it('takes the offline replacement only when the server cannot be reached', async () => {
    serve(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(fetchManifest('https://host/x/', { offline: async (prefix) => `copy of ${prefix}` })).resolves.toEqual({
      kind: 'offline',
      prefix: 'https://host/x/',
      copy: 'copy of https://host/x/',
    });
    await expect(fetchManifest('https://host/x/', { offline: async () => null })).rejects.toMatchObject({ code: 'BUNDLE_DOWNLOAD_FAILED' });
  });
});

describe('readFolderManifest', () => {
  it('reads and validates the folder manifest, or says the folder has none', async () => {
    const folder = (files: Record<string, string>) => ({
      name: 'bundle',
      file: async (path: string) => (path in files ? new File([files[path]!], path) : null),
    });
    await expect(readFolderManifest(folder({ 'manifest.json': text }))).resolves.toMatchObject({ variants: tinyJson.variants });
    await expect(readFolderManifest(folder({}))).rejects.toMatchObject({ code: 'BUNDLE_NOT_FOUND' });
    await expect(readFolderManifest(folder({ 'manifest.json': '{' }))).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
  });
});

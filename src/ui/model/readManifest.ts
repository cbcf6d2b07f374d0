import { parseManifest, type BundleManifest } from '../../core/bundle/manifest.ts';
import type { CachedBundle } from '../../core/engineApi.ts';
import { AppError } from '../../core/errors.ts';
import { bundleFileUrl, normalizeBundleUrl } from '../../core/bundle/bundleUrl.ts';
import { folderFromFiles, type LocalFile } from '../../core/bundle/localFolder.ts';

/**
 * The manifest of a chosen source, before anything else is read or downloaded: for a URL only manifest.json
 * is fetched (a few KB), for a folder only its manifest.json is read. The engine validates it again on load.
 */

/** A folder's manifest.json, found where the loader finds it (the shallowest one). */
export async function readFolderManifest(files: ReadonlyArray<File | LocalFile>): Promise<BundleManifest> {
  const folder = folderFromFiles(files);
  const file = await folder.file('manifest.json');
  if (file === null) throw new AppError('BUNDLE_NOT_FOUND', `${folder.name} has no manifest.json.`);
  return parseText(await file.text(), `${folder.name}/manifest.json`, 'The manifest is damaged: copy the bundle again, or convert the model again.');
}

/**
 * A URL's manifest.json. When the server cannot be reached, the manifest of a cached copy from that URL serves
 * instead (the engine then opens that copy).
 */
export async function readUrlManifest(url: string, cached: () => Promise<CachedBundle[]>): Promise<BundleManifest> {
  const prefix = normalizeBundleUrl(url, window.location.href);
  const manifestUrl = bundleFileUrl(prefix, 'manifest.json');
  let response: Response;
  try {
    response = await fetch(manifestUrl, { cache: 'no-cache' });
  } catch (cause) {
    const copy = (await cached().catch(() => [])).find((bundle) => bundle.sources.includes(prefix));
    if (copy !== undefined) return copy.manifest;
    throw new AppError('BUNDLE_DOWNLOAD_FAILED', `Could not reach ${manifestUrl}: ${(cause as Error).message || 'network error'}.`, {
      hint: 'Check the connection and the URL. A server on another site must allow this page with CORS (Access-Control-Allow-Origin).',
      cause,
    });
  }
  if (response.status === 404 || response.status === 410) {
    throw new AppError('BUNDLE_NOT_FOUND', `No bundle at ${prefix}: ${manifestUrl} answered ${response.status} Not Found.`, {
      hint: 'Give the folder that holds manifest.json (on Hugging Face, the …/resolve/main/ address).',
    });
  }
  if (!response.ok) {
    throw new AppError('BUNDLE_DOWNLOAD_FAILED', `${manifestUrl} answered HTTP ${response.status}.`, {
      hint: 'The server refused the request: check that the bundle is public, or try again later.',
    });
  }
  return parseText(await response.text(), manifestUrl, 'The URL may point at a web page rather than the bundle folder (on Hugging Face, use …/resolve/main/).');
}

function parseText(text: string, where: string, hint: string): BundleManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError('MANIFEST_INVALID', `${where} is not JSON: ${(cause as Error).message}.`, { hint, cause });
  }
  return parseManifest(json, where);
}

import { AppError } from '../errors.ts';
import { bundleFileUrl, normalizeBundleUrl } from './bundleUrl.ts';
import { MANIFEST_FILE, type LocalFolder } from './localFolder.ts';
import { parseManifest, type BundleManifest } from './manifest.ts';

/**
 * Reading a bundle's manifest.json from a folder or a URL, checked the same way wherever it is read: by the
 * model panel before a download (a few KB) and by the engine's loader before it reads anything else.
 */

const DAMAGED_HINT = 'The manifest is damaged: copy the bundle again, or convert the model again.';

/** A manifest's text, parsed and validated; `where` names it in messages. */
export function parseManifestText(text: string, where: string, hint = DAMAGED_HINT): BundleManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError('MANIFEST_INVALID', `${where} is not JSON: ${(cause as Error).message}.`, { hint, cause });
  }
  return parseManifest(json, where);
}

/** A local folder's manifest.json, found where the loader finds it (the shallowest one). */
export async function readFolderManifest(folder: LocalFolder): Promise<BundleManifest> {
  const file = await folder.file(MANIFEST_FILE);
  if (file === null) throw new AppError('BUNDLE_NOT_FOUND', `The folder "${folder.name}" has no ${MANIFEST_FILE}.`);
  return parseManifestText(await file.text(), `${folder.name}/${MANIFEST_FILE}`);
}

/** A URL bundle's manifest as fetched: its text (the cache stores it as served) and the bundle's normalised prefix. */
export interface FetchedManifest {
  kind: 'fetched';
  /** The bundle's URL prefix, as the cache records a download's source. */
  prefix: string;
  manifestUrl: string;
  text: string;
  manifest: BundleManifest;
}

/** What stands in for a manifest the server could not be reached for (a cached copy from the same prefix). */
export interface OfflineManifest<T> {
  kind: 'offline';
  prefix: string;
  copy: T;
}

export interface FetchManifestOptions<T> {
  /** The URL that a relative bundle URL is resolved against (the page's address). */
  base?: string;
  signal?: AbortSignal;
  /** When the server cannot be reached at all, a replacement for the bundle at `prefix`, or null for none. */
  offline?: (prefix: string) => Promise<T | null>;
}

/**
 * `${url}/manifest.json`, always from the network (`no-cache` revalidates), so that a re-converted bundle is
 * noticed. Errors say what the user can do: a wrong address, a page instead of the bundle folder, CORS.
 */
export async function fetchManifest<T = never>(url: string, options: FetchManifestOptions<T> = {}): Promise<FetchedManifest | OfflineManifest<T>> {
  const prefix = normalizeBundleUrl(url, options.base);
  const manifestUrl = bundleFileUrl(prefix, MANIFEST_FILE);
  let response: Response;
  try {
    response = await fetch(manifestUrl, { cache: 'no-cache', ...(options.signal === undefined ? {} : { signal: options.signal }) });
  } catch (cause) {
    options.signal?.throwIfAborted();
    const copy = options.offline === undefined ? null : await options.offline(prefix);
    if (copy !== null) return { kind: 'offline', prefix, copy };
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
  const text = await response.text();
  const manifest = parseManifestText(text, manifestUrl, 'The URL may point at a web page rather than the bundle folder (on Hugging Face, use …/resolve/main/).');
  return { kind: 'fetched', prefix, manifestUrl, text, manifest };
}

import { AppError } from '../errors.ts';

/**
 * The folder URL every bundle file hangs off, with a trailing slash. Accepts what people paste: a folder
 * with or without the slash, the manifest's own URL, or a Hugging Face page (`/tree/` or `/blob/`) instead
 * of its download path (`/resolve/`). A relative URL resolves against the page (`base`).
 */
export function normalizeBundleUrl(input: string, base?: string): string {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(trimmed, base);
  } catch (cause) {
    throw new AppError('BAD_ARGUMENTS', `"${trimmed}" is not a URL.`, {
      hint: 'Give the address of the folder that holds manifest.json, e.g. https://huggingface.co/OWNER/REPO/resolve/main/.',
      cause,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('BAD_ARGUMENTS', `${url.href}: a bundle URL must start with https:// or http://.`, {
      hint: 'To open a bundle on this computer, choose its folder instead.',
    });
  }
  if (url.hostname === 'huggingface.co' || url.hostname === 'hf.co') {
    // /OWNER/REPO/(tree|blob)/REV/... is the web page; /OWNER/REPO/resolve/REV/... serves the bytes.
    url.pathname = url.pathname.replace(/^(\/[^/]+\/[^/]+)\/(?:tree|blob)\//, '$1/resolve/');
  }
  url.pathname = url.pathname.replace(/\/manifest\.json$/, '/');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.hash = '';
  return url.href;
}

/** The URL of one bundle file: each path segment escaped, the folder's query (e.g. a signed token) kept. */
export function bundleFileUrl(prefix: string, path: string): string {
  const folder = new URL(prefix);
  const file = new URL(path.split('/').map(encodeURIComponent).join('/'), folder);
  file.search = folder.search;
  return file.href;
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPage } from '../buildPage.ts';
import { serveStatic } from '../staticServer.ts';

export interface HarnessSite {
  /** The temporary folder everything is built in; removed by `dispose`. */
  root: string;
  origin: string;
  /** The harness page. */
  pageUrl: string;
  dispose(): Promise<void>;
}

export interface HarnessSiteOptions {
  /** The folder with the harness's index.html, its page script and its worker. */
  page: string;
  /** Temporary folder name prefix. */
  name: string;
  /** More folders to serve from the same origin, by URL prefix (e.g. `/bundle/`), made in `root` by `prepare`. */
  prepare?: (root: string) => Promise<Record<string, string>>;
  minify?: boolean;
  onMissing?: (path: string) => void;
}

/**
 * The Node side of a test or bench harness: its page and worker built with Vite as the app is built (buildPage),
 * and served with what `prepare` makes, from one cross-origin-isolated origin on 127.0.0.1.
 */
export async function startHarnessSite(options: HarnessSiteOptions): Promise<HarnessSite> {
  const root = await mkdtemp(join(tmpdir(), `${options.name}-`));
  const site = join(root, 'site');
  const [folders] = await Promise.all([options.prepare?.(root) ?? {}, buildPage(options.page, site, options.minify === undefined ? {} : { minify: options.minify })]);
  const server = await serveStatic({ folders: { ...folders, '/': site }, ...(options.onMissing === undefined ? {} : { onMissing: options.onMissing }) });
  return {
    root,
    origin: server.origin,
    pageUrl: `${server.origin}/index.html`,
    async dispose() {
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

import { serveStatic } from '../browser/staticServer.ts';

export interface CheckServer {
  origin: string;
  /** Where the bundle is served (a URL prefix ending in '/'). */
  bundleUrl: string;
  close(): Promise<void>;
}

/** One cross-origin-isolated origin serving the check page at / and the bundle under /bundle/. */
export async function serveCheck(siteDir: string, bundleDir: string, onMissing?: (path: string) => void): Promise<CheckServer> {
  const server = await serveStatic({ folders: { '/bundle/': bundleDir, '/': siteDir }, ...(onMissing === undefined ? {} : { onMissing }) });
  return { origin: server.origin, bundleUrl: `${server.origin}/bundle/`, close: server.close };
}

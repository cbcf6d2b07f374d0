import type { Plugin } from 'vite';
import { sendFile } from '../browser/staticServer.ts';

/** Where the dev server serves the demo bundle. */
export const DEMO_BUNDLE_PATH = '/demo-bundle/';

/**
 * Serves one bundle folder from the Vite dev server at `DEMO_BUNDLE_PATH`, with the headers Vite gives the app
 * (`server.headers` in vite.config.ts: COOP/COEP), so the page fetches it as it would from its own origin.
 * The app's own origin, not a second server: no CORS, one URL to print.
 */
export function demoBundlePlugin(bundleDir: string): Plugin {
  return {
    name: 'depictqa-demo-bundle',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        if (!path.startsWith(DEMO_BUNDLE_PATH)) return next();
        // 404 for anything not in the bundle: never the app's index.html, which a dev server sends for unknown paths.
        const headers = { ...server.config.server.headers, 'Cache-Control': 'no-cache' };
        sendFile(bundleDir, decodeURIComponent(path.slice(DEMO_BUNDLE_PATH.length)), request, response, headers).catch(next);
      });
    },
  };
}

import { startHarnessSite, type HarnessSite } from '../../tools/browser/harness/site.ts';

export type PixelsHarness = HarnessSite;

/** The harness page and its worker, built with Vite as the app is built, on one cross-origin-isolated origin. */
export function startPixelsHarness(): Promise<PixelsHarness> {
  return startHarnessSite({ page: import.meta.dirname, name: 'depictqa-pixels-e2e', minify: false });
}

import { build } from 'vite';

/**
 * Builds a test or bench page (a folder with index.html, its script and a module worker) with Vite as the app is
 * built: ES workers, relative URLs, no public folder. `minify: false` keeps stack traces readable.
 */
export async function buildPage(root: string, outDir: string, options: { minify?: boolean } = {}): Promise<void> {
  await build({
    configFile: false,
    root,
    base: './',
    logLevel: 'warn',
    publicDir: false,
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', ...(options.minify === undefined ? {} : { minify: options.minify }) },
  });
}

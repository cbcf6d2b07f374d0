/**
 * npm run demo [-- --rebuild] [--port N] [--host]
 *
 * A newcomer's first minute: builds the tiny random model bundle once (cached under .cache/demo-bundle/, rebuilt
 * when the converter changes), starts the Vite dev server with the bundle at /demo-bundle/ on the app's own
 * origin and headers, and prints the app's URL with the bundle preselected (`?model=`).
 */
import { resolve } from 'node:path';
import { createServer } from 'vite';
import { AppError } from '../src/core/errors.ts';
import { badArguments, parseFlags, sharedFlags, usageLine, wholeNumber } from '../cli/flags/flags.ts';
import { ensureDemoBundle } from './demo/demoBundle.ts';
import { DEMO_BUNDLE_PATH, demoBundlePlugin } from './demo/serveBundle.ts';

const USAGE = [
  'Usage: npm run demo [-- options]',
  '',
  usageLine('rebuild', '', 'build the demo bundle again even if the cached one is current'),
  usageLine('port', 'N', 'dev server port (default 5173, or the next free one)'),
  usageLine('host', '', 'listen on all addresses, not only localhost'),
].join('\n');

async function main(): Promise<void> {
  const values = parseFlags(
    process.argv.slice(2),
    { ...sharedFlags('help'), rebuild: { type: 'boolean', default: false }, port: { type: 'string' }, host: { type: 'boolean', default: false } },
    USAGE,
  );
  if (values.help) return void console.log(USAGE);
  const port = values.port === undefined ? undefined : wholeNumber(values.port, 'port', 1, USAGE);
  if (port !== undefined && port > 65535) throw badArguments(`--port must be a port number, not "${values.port}"`, USAGE);

  // 1. The bundle: from the cache, or built now (seconds).
  const bundle = await ensureDemoBundle({ rebuild: values.rebuild, log: (line) => console.log(line) });
  if (!bundle.built) console.log(`Demo bundle ${bundle.key} from the cache.`);

  // 2. The dev server of vite.config.ts, with the bundle on the same origin.
  const root = resolve(import.meta.dirname, '..');
  const server = await createServer({
    root,
    // Its own dependency cache: the extra plugin changes Vite's config hash, and sharing node_modules/.vite would
    // make `npm run dev` and `npm run demo` re-optimise each other's dependencies.
    cacheDir: resolve(root, '.cache/vite-demo'),
    plugins: [demoBundlePlugin(bundle.dir)],
    server: { ...(port === undefined ? {} : { port }), ...(values.host ? { host: true } : {}) },
  });
  await server.listen();

  // 3. The URL to open: the app with the bundle's URL in its model field.
  const origin = (server.resolvedUrls?.local[0] ?? `http://localhost:${server.config.server.port}/`).replace(/\/$/, '');
  console.log(`\n  Open ${origin}/?model=${encodeURIComponent(origin + DEMO_BUNDLE_PATH)}`);
  console.log('  then Check → Load, add an image and Run. Random weights: the answers are noise, every step of the pipeline runs.\n');
}

main().catch((error: unknown) => {
  if (error instanceof AppError) {
    console.error(`demo: ${error.message}${error.hint ? `\n  ${error.hint}` : ''}`);
    process.exit(error.code === 'BAD_ARGUMENTS' ? 2 : 1);
  }
  console.error(error);
  process.exit(1);
});

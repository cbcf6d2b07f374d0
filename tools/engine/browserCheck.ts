/**
 * npx tsx tools/engine/browserCheck.ts: the engine in headless Chromium, in a module worker as the app runs it,
 * on the wasm EP and on WebGPU (`--enable-unsafe-webgpu`; SwiftShader on a machine without a GPU), against the
 * same engine in Node. The tiny bundle is served over HTTP and loaded by the app's bundle loader; image rows come
 * from the bundle's vision graph, or from fixed rows to check the language model alone. Greedy tokens must be
 * identical everywhere, including a second question that reuses the KV cache. Prints one table; exit status 1 on
 * any difference. ENGINE_CHECK_ONLY=webgpu-q4-fixed runs one configuration.
 */
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { findChromium, QUIET_FLAGS } from '../../e2e/browser.ts';
import type { GenerateRequest } from '../../src/core/engine/types.ts';
import type { ImageSlotId } from '../../src/core/tasks.ts';
import type { CheckRequest, CheckResult } from './browser/protocol.ts';
import { createNodeEngine } from './nodeHost.ts';
import { fixedRowsEncoder } from './testing/fixedRowsEncoder.ts';
import { randomPng } from './testing/testImages.ts';
import { buildTinyBundle } from './testing/tinyBundle.ts';

const REQUESTS: Array<Omit<GenerateRequest, 'images'>> = [
  { task: 'comparison', question: { index: 0 }, maxNewTokens: 8 },
  { task: 'comparison', question: { index: 1 }, maxNewTokens: 8 },
  { task: 'reasoning', question: { index: 0 }, maxNewTokens: 8 },
];
const CONFIGS = [
  { backend: 'wasm', variant: 'q4', rows: 'fixed' },
  { backend: 'webgpu', variant: 'q4', rows: 'fixed' },
  { backend: 'webgpu', variant: 'fp32', rows: 'fixed' },
  { backend: 'wasm', variant: 'fp32', rows: 'vision' },
  { backend: 'webgpu', variant: 'fp32', rows: 'vision' },
] as const;
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.mjs': 'text/javascript' };

const root = await mkdtemp(join(tmpdir(), 'depictqa-engine-browser-'));
try {
  // 1. The tiny bundle, the check page built as the app is built, and the images.
  const bundle = await buildTinyBundle(join(root, 'model'), ['q4', 'fp32'], { vision: true });
  const site = join(root, 'site');
  await build({
    configFile: false,
    root: resolve(import.meta.dirname, 'browser'),
    base: './',
    logLevel: 'warn',
    publicDir: false,
    worker: { format: 'es' },
    build: { outDir: site, emptyOutDir: true, target: 'es2022' },
  });
  const images = {} as CheckRequest['images'];
  for (const [slot, size, seed] of [['reference', 70, 1], ['a', 84, 2], ['b', 98, 3]] as const) images[slot] = await randomPng(`${slot}.png`, size, 70, seed);

  // 2. One origin, cross-origin isolated, serving the page and (under /bundle/) the bundle.
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const [base, rest] = path.startsWith('/bundle/') ? [bundle.bundleDir, path.slice('/bundle/'.length)] : [site, path.slice(1) || 'index.html'];
    const file = normalize(join(base, rest));
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-store' };
    readFile(file).then(
      (body) => response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => {
        process.stderr.write(`  [server] 404 ${path}\n`);
        response.writeHead(404, headers).end();
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const origin = `http://127.0.0.1:${address.port}`;

  // 3. Node: the expected tokens.
  const expected: Record<string, number[][]> = {};
  for (const { variant, rows } of CONFIGS) {
    const key = `${variant}/${rows}`;
    if (expected[key] !== undefined) continue;
    const engine = createNodeEngine(rows === 'fixed' ? { imageEncoder: async ({ hiddenSize }) => fixedRowsEncoder(hiddenSize) } : {});
    await engine.load({ kind: 'path', path: bundle.bundleDir }, undefined, { variant, maxContext: 512 });
    const ids = {} as Record<ImageSlotId, string>;
    for (const slot of ['reference', 'a', 'b'] as const) ids[slot] = (await engine.encodeImage(images[slot])).id;
    expected[key] = [];
    for (const ask of REQUESTS) expected[key].push((await engine.generate({ ...ask, images: ids })).ids);
    await engine.unload();
  }

  // 4. Chromium.
  const browser = await chromium.launch({ executablePath: findChromium(), args: [...QUIET_FLAGS, '--enable-unsafe-webgpu'] });
  let failures = 0;
  const table: string[][] = [['backend', 'variant', 'image rows', 'adapter', 'same tokens', 'prefill tok/s', 'decode tok/s', 'reused positions (2nd)', 'note']];
  try {
    const only = process.env.ENGINE_CHECK_ONLY;
    for (const config of CONFIGS.filter((c) => only === undefined || `${c.backend}-${c.variant}-${c.rows}` === only)) {
      process.stderr.write(`${config.backend} ${config.variant} ${config.rows} rows…\n`);
      const want = expected[`${config.variant}/${config.rows}`]!;
      const problems: string[] = [];
      const page = await browser.newPage();
      page.on('crash', () => problems.push('the page crashed'));
      if (process.env.ENGINE_CHECK_VERBOSE) page.on('console', (message) => process.stderr.write(`  [page] ${message.text()}\n`));
      page.on('console', (message) => {
        if (/validation error|WebGPU.*error/i.test(message.text())) problems.push(message.text());
      });
      await page.goto(`${origin}/index.html`);
      await page.waitForFunction(() => document.title === 'engine check ready');
      const plainImages = Object.fromEntries(Object.entries(images).map(([slot, image]) => [slot, { name: image.name, bytes: Array.from(image.bytes) }]));
      const result = (await page.evaluate(
        (request) => (globalThis as unknown as { runCheck: (r: unknown) => Promise<unknown> }).runCheck(request),
        { bundleUrl: `${origin}/bundle/`, variant: config.variant, backend: config.backend, rows: config.rows, images: plainImages, requests: REQUESTS },
      )) as CheckResult;
      await page.close();
      if (!result.ok) {
        failures++;
        table.push([config.backend, config.variant, config.rows, '-', 'no', '-', '-', '-', `${result.error.code}: ${result.error.message}`.slice(0, 160)]);
        continue;
      }
      const same = result.answers.every((answer, i) => JSON.stringify(answer.ids) === JSON.stringify(want[i]));
      if (!same || problems.length > 0) failures++;
      const first = result.answers[0]!.stats;
      table.push([
        config.backend,
        config.variant,
        config.rows,
        result.adapter ?? 'none',
        same ? 'yes' : `no: ${JSON.stringify(result.answers.map((answer) => answer.ids))} vs ${JSON.stringify(want)}`,
        first.prefillTokensPerSecond.toFixed(0),
        first.decodeTokensPerSecond.toFixed(1),
        String(result.answers[1]!.stats.reusedPositions),
        problems.slice(0, 2).join(' | '),
      ]);
    }
  } finally {
    await browser.close();
    server.close();
  }
  for (const row of table) process.stdout.write(`${row.join(' | ')}\n`);
  process.exitCode = failures > 0 ? 1 : 0;
} finally {
  await rm(root, { recursive: true, force: true });
}

import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { serveStatic, type LocalServer } from '../tools/browser/staticServer.ts';
import { BundleServer } from './bundleHarness/bundleServer.ts';
import { expect, test } from './fixtures.ts';
import {
  askJson, checkBundleUrl, chooseImage, loadPageBundle, pageFlowBundle, patternPng, pickQuestion, runToDone, setMaxNewTokens, writeImage,
  type AskRecord,
} from './testing/pageBundle.ts';

/**
 * The installed app without a network: the service worker serves the app shell (page, scripts, worker scripts,
 * onnxruntime-web's wasm) from its precache, the model comes from OPFS, and nothing is cached twice. Also what
 * makes the app installable, and the prompt that swaps in a new version only when no answer is being written.
 */

const ANSWER_TOKENS = 12;
/** The build the tests' server serves (playwright.config.ts). */
const distDir = resolve(import.meta.dirname, '..', process.env.E2E_DIST ?? 'dist');

interface Prepared {
  server: BundleServer;
  png: { reference: Buffer; a: Buffer; b: Buffer };
  comparison: AskRecord;
}

/** Waits until the service worker is active and controls the page (it claims the page on its first install). */
async function waitForControl(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller !== null) return;
    await new Promise((done) => navigator.serviceWorker.addEventListener('controllerchange', done, { once: true }));
  });
}

/** Every response in Cache Storage: its URL and body size. */
function cacheStorage(page: Page): Promise<{ names: string[]; entries: Array<{ url: string; bytes: number }> }> {
  return page.evaluate(async () => {
    const names = await caches.keys();
    const entries: Array<{ url: string; bytes: number }> = [];
    for (const name of names) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const response = await cache.match(request);
        entries.push({ url: request.url, bytes: response === undefined ? 0 : (await response.blob()).size });
      }
    }
    return { names, entries };
  });
}

/** Bytes of the files under a folder. */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function runComparison(page: Page, prepared: Prepared): Promise<void> {
  await page.getByRole('radio', { name: /^Comparison/ }).check();
  await chooseImage(page, 'reference', 'reference.png', prepared.png.reference);
  await chooseImage(page, 'a', 'a.png', prepared.png.a);
  await chooseImage(page, 'b', 'b.png', prepared.png.b);
  await pickQuestion(page, 1);
  await setMaxNewTokens(page, ANSWER_TOKENS);
  await runToDone(page);
  await expect(page.getByTestId('answer-text')).toHaveText(prepared.comparison.answer);
}

test.describe('installed app', () => {
  const flow = pageFlowBundle<Prepared>({
    project: 'wasm',
    setupTimeoutMs: 300_000,
    testTimeoutMs: 240_000,
    prepare: async (bundle) => {
      const [referencePng, aPng, bPng] = await Promise.all([patternPng(2), patternPng(0), patternPng(1, 84, 70)]);
      const images = {
        reference: await writeImage(bundle, 'reference.png', referencePng),
        a: await writeImage(bundle, 'a.png', aPng),
        b: await writeImage(bundle, 'b.png', bPng),
      };
      const comparison = await askJson(bundle, { task: 'comparison', images, questionIndex: 1, maxNewTokens: ANSWER_TOKENS });
      // A second origin, as a model host: the download is a real CORS fetch.
      const server = new BundleServer(tmpdir(), { tiny: bundle.bundleDir });
      await server.start();
      return { server, png: { reference: referencePng, a: aPng, b: bPng }, comparison };
    },
    release: ({ server }) => server.stop(),
  });

  test('is installable: the manifest, its icons, and a service worker that serves the page', async ({ page, request }) => {
    const manifestResponse = await request.get('/manifest.webmanifest');
    expect(manifestResponse.ok()).toBe(true);
    const manifest = (await manifestResponse.json()) as {
      name: string;
      short_name: string;
      start_url: string;
      scope: string;
      display: string;
      theme_color: string;
      icons: Array<{ src: string; sizes: string; type: string; purpose?: string }>;
    };
    expect(manifest.name).toBe('DepictQA Web');
    expect(manifest.short_name).toBe('DepictQA');
    expect(['standalone', 'fullscreen', 'minimal-ui']).toContain(manifest.display);
    expect(manifest.start_url).toBe('./');
    expect(manifest.scope).toBe('./');
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/);
    // Each PNG icon exists at the size it claims; 192 and 512 for any use, and a maskable one.
    const pngs = manifest.icons.filter((icon) => icon.type === 'image/png');
    for (const icon of pngs) {
      const response = await request.get(`/${icon.src}`);
      expect(response.ok(), icon.src).toBe(true);
      const { width, height, format } = await sharp(await response.body()).metadata();
      expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
      expect(format).toBe('png');
    }
    const sizes = (purpose: string) => pngs.filter((icon) => (icon.purpose ?? 'any').split(' ').includes(purpose)).map((icon) => icon.sizes);
    expect(sizes('any')).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect(sizes('maskable')).toContain('512x512');

    // The page links the manifest and gives the title bar's colour for light and dark schemes.
    await page.goto('/');
    await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', './manifest.webmanifest');
    await expect(page.locator('meta[name="theme-color"][media="(prefers-color-scheme: dark)"]')).toHaveAttribute('content', /^#[0-9a-f]{6}$/);
    await expect(page.locator('meta[name="theme-color"][media="(prefers-color-scheme: light)"]')).toHaveAttribute('content', manifest.theme_color);

    // A service worker with a fetch handler controls the page: after a reload the page itself comes from it.
    await waitForControl(page);
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    // Static hosts are told to revalidate the service worker at every check (a long-cached sw.js would hold
    // updates back) and to isolate every path, the service worker's included.
    const headers = await readFile(join(distDir, '_headers'), 'utf8');
    expect(headers).toMatch(/^\/sw\.js\n {2}Cache-Control: no-cache$/m);
    expect(headers).toMatch(/^\/\*\n {2}Cross-Origin-Opener-Policy: same-origin\n {2}Cross-Origin-Embedder-Policy: require-corp$/m);
  });

  test('offline after a first visit: the page, the cached model, an answer and the history', async ({ page, context }, testInfo) => {
    const prepared = flow();
    const { server } = prepared;
    server.reset();
    await page.goto('/');
    await waitForControl(page);
    // The first visit loads a model from its URL (kept in OPFS) and answers once.
    await checkBundleUrl(page, `${server.bundleOrigin}/tiny/`);
    await page.getByTestId('preflight').getByRole('button', { name: 'Load', exact: true }).click();
    await expect(page.getByTestId('model-ready')).toContainText('q4 · CPU (wasm)', { timeout: 60_000 });
    await expect(page.getByTestId('cached-bundle')).toHaveCount(1);
    // Persistent storage was asked for before the download; the panel says what the browser answered.
    const persistence = page.getByTestId('storage-persistence');
    await expect(persistence).toHaveAttribute('data-persisted', /^(true|false)$/);
    if ((await persistence.getAttribute('data-persisted')) === 'false') await expect(persistence).toContainText('the browser may evict the cached models');
    await runComparison(page, prepared);
    await expect(page.getByTestId('history-item')).toHaveCount(1);

    // Cache Storage holds the app shell only: the build's files, nothing from the model host.
    const stored = await cacheStorage(page);
    const cachedBytes = stored.entries.reduce((sum, entry) => sum + entry.bytes, 0);
    const distBytes = await folderBytes(distDir);
    expect(server.requests.length, 'the model was downloaded from its host').toBeGreaterThan(1);
    expect(stored.entries.filter((entry) => !entry.url.startsWith(new URL(page.url()).origin))).toEqual([]);
    expect(stored.entries.map((entry) => entry.url).filter((url) => /manifest\.json|\.onnx|tokenizer/.test(url))).toEqual([]);
    expect(cachedBytes).toBeLessThanOrEqual(distBytes);
    expect(cachedBytes).toBeGreaterThan(0.95 * distBytes);
    testInfo.annotations.push({ type: 'cache storage', description: `${cachedBytes} bytes in ${stored.entries.length} responses (${stored.names.join(', ')}); build ${distBytes} bytes` });

    // A day later, without a network.
    server.reset();
    await context.setOffline(true);
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
    await expect(page.getByTestId('offline-notice')).toBeVisible();
    await expect(page.getByTestId('history-item')).toHaveCount(1);
    const row = page.getByTestId('cached-bundle');
    await expect(row).toHaveCount(1, { timeout: 20_000 });
    await row.getByRole('button', { name: /^Open / }).click();
    await page.getByTestId('preflight').getByRole('button', { name: 'Load', exact: true }).click();
    await expect(page.getByTestId('model-ready')).toContainText('q4 · CPU (wasm)', { timeout: 60_000 });
    await runComparison(page, prepared);
    await expect(page.getByTestId('history-item')).toHaveCount(2);
    await page.screenshot({ path: testInfo.outputPath('offline-answer.png'), fullPage: true });

    // A URL load says the browser is offline and offers the cached copy from that URL, which opens.
    await checkBundleUrl(page, `${server.bundleOrigin}/tiny/`);
    const card = page.getByTestId('preflight');
    await expect(card.getByTestId('preflight-offline')).toContainText(`This browser is offline: ${server.bundleOrigin}/tiny/ cannot be read.`);
    await expect(card.getByTestId('preflight-backend')).toContainText('Read from the cache:');
    await page.getByTestId('model-panel').screenshot({ path: testInfo.outputPath('offline-url-offers-cache.png') });
    await card.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(page.getByTestId('model-ready')).toContainText('q4 · CPU (wasm)', { timeout: 60_000 });
    // A URL with no cached copy says so.
    await checkBundleUrl(page, `${server.bundleOrigin}/elsewhere/`);
    await expect(page.getByTestId('model-error')).toContainText(`This browser is offline, and no copy of ${server.bundleOrigin}/elsewhere/ is cached here.`);
    expect(server.requests).toEqual([]);
    await context.setOffline(false);
  });

  test('a new version is announced, and its reload waits for the answer being written', async ({ page }, testInfo) => {
    const { bundle } = flow();
    // A copy of the build on its own server, so that this test can publish a new service worker.
    const site = await mkdtemp(join(tmpdir(), 'depictqa-site-'));
    let local: LocalServer | undefined;
    try {
      await cp(distDir, site, { recursive: true });
      local = await serveStatic({ folders: { '/': site } });
      await page.goto(`${local.origin}/`);
      await waitForControl(page);
      await expect(page.getByTestId('update-prompt')).toHaveCount(0);
      await loadPageBundle(page, bundle);

      // A new build: its service worker differs; the open page finds it at its next update check.
      await writeFile(join(site, 'sw.js'), `${await readFile(join(site, 'sw.js'), 'utf8')}\n// next build\n`);
      await page.evaluate(async () => (await navigator.serviceWorker.ready).update());
      const prompt = page.getByTestId('update-prompt');
      await expect(prompt).toContainText('A new version of DepictQA Web is ready.', { timeout: 30_000 });
      const reload = prompt.getByRole('button', { name: 'Reload to update' });
      await expect(reload).toBeEnabled();

      // While an answer is being written the reload waits.
      await chooseImage(page, 'a', 'a.png', await patternPng());
      await setMaxNewTokens(page, 2000);
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
      await expect(reload).toBeDisabled();
      await expect(prompt.getByTestId('update-waits')).toHaveText('Reload once the answer is written.');
      await prompt.screenshot({ path: testInfo.outputPath('update-prompt-waiting.png') });
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await expect(reload).toBeEnabled();
      await prompt.screenshot({ path: testInfo.outputPath('update-prompt.png') });

      // The new version takes over and the page reloads into it.
      const navigated = page.waitForEvent('framenavigated');
      await reload.click();
      await navigated;
      await waitForControl(page);
      await expect(page.getByTestId('update-prompt')).toHaveCount(0);
      expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
    } finally {
      await local?.close();
      await rm(site, { recursive: true, force: true });
    }
  });
});

import { tmpdir } from 'node:os';
import type { Page, TestInfo } from '@playwright/test';
import { sevenBManifest } from '../src/core/bundle/testing/sevenBManifest.ts';
import { BundleServer } from './bundleHarness/bundleServer.ts';
import { expect, test } from './fixtures.ts';
import { buildPageBundle, checkBundleUrl, type PageBundle } from './testing/pageBundle.ts';

/**
 * The model panel in the real app: a source's manifest is read first, the pre-flight card says what the model
 * needs here, and only Load opens (or downloads) it; the cache list shows what a URL load kept.
 */
let bundle: PageBundle | undefined;
let server: BundleServer | undefined;

test.beforeAll(async ({ browserName: _ }, testInfo) => {
  test.setTimeout(120_000);
  // The webgpu project serves a manifest only; the wasm project loads the tiny model.
  if (testInfo.project.name === 'wasm') bundle = await buildPageBundle();
  // Only the bundle origin is used: a second origin, so the download is a real CORS fetch as from a model host.
  server = new BundleServer(tmpdir(), bundle === undefined ? {} : { tiny: bundle.bundleDir });
  await server.start();
});

test.afterAll(async () => {
  await server?.stop();
  await bundle?.remove();
});

/** Opens the page and checks the 7B shape's manifest, served once in place of the tiny one. */
async function checkSevenB(page: Page): Promise<void> {
  server!.reset();
  server!.faults.push({ path: 'manifest.json', kind: 'body', body: JSON.stringify(sevenBManifest(true)), times: 1 });
  await page.goto('/');
  await checkBundleUrl(page, `${server!.bundleOrigin}/tiny/`);
}

test.describe('model panel on a software WebGPU adapter', () => {
  test.beforeEach(({ browserName: _ }, testInfo) => {
    test.skip(testInfo.project.name !== 'webgpu', 'needs the SwiftShader adapter of the webgpu project');
  });

  test('says q4 runs instead of q4f16, and that the adapter is slow', async ({ page }) => {
    // The 7B shape's manifest (q4f16 and q4); nothing else is fetched.
    await checkSevenB(page);
    const card = page.getByTestId('preflight');
    await expect(card.getByTestId('preflight-variant')).toHaveText('q4 (4-bit weights, 32-bit activations)');
    await expect(card.getByTestId('preflight-backend')).toContainText('Runs on WebGPU (');
    const notes = card.getByTestId('preflight-notes');
    await expect(notes).toContainText('WebGPU runs on a software adapter (such as SwiftShader), emulated on the CPU: very slow.');
    await expect(notes).toContainText('so q4 runs instead of q4f16: 32-bit activations double the KV cache');
    // SwiftShader's 1 GiB buffers hold the largest one; the verdict then rests on the memory hint.
    await expect(card).toContainText("compared with the adapter's largest buffer (1.00 GiB)");
    await expect(card.getByTestId('preflight-total')).toHaveText('6.29 GiB');
    expect(server!.requests.map((request) => request.path)).toEqual(['manifest.json']);
  });
});

test.describe('model panel', () => {
  test.beforeEach(({ browserName: _ }, testInfo) => {
    // The panel's flow does not depend on the backend; the wasm project runs it once.
    test.skip(testInfo.project.name !== 'wasm', 'covered by the wasm project');
  });

  test('a folder: the pre-flight card with its verdict and numbers, then Load shows the random-weights model', async ({ page }, testInfo) => {
    await page.goto('/');
    await page.getByTestId('model-folder-input').setInputFiles(bundle!.bundleDir);
    const card = page.getByTestId('preflight');
    await expect(card).toHaveAttribute('data-verdict', 'fits');
    await expect(card.getByTestId('preflight-verdict')).toHaveText('Fits');
    await expect(card.getByTestId('random-weights')).toHaveText('random weights — for trying the pipeline only');
    await expect(card.getByTestId('preflight-variant')).toHaveText('q4 (4-bit weights, 32-bit activations)');
    await expect(card.getByTestId('preflight-backend')).toContainText('Runs on the CPU (WebAssembly) · Read from the folder:');
    await expect(card.getByTestId('preflight-notes')).toContainText('No WebGPU here: the model runs on the CPU (WebAssembly).');
    // The tiny model's KV cache: 2 (k, v) × 2 layers × 4 heads × 16 × 2048 positions × 4 bytes = 2 MiB.
    const memory = card.getByTestId('preflight-memory');
    await expect(memory).toContainText('KV cache (2048 positions)2.00 MiB');
    await expect(memory).toContainText('Vision activations (3 images at 224×672)');
    await expect(card.getByTestId('preflight-total')).toHaveText(/^\d+(\.\d+)? MiB$/);
    await expect(card.getByTestId('preflight-reason')).toHaveText(/^The model needs about \d+(\.\d+)? MiB of memory/);
    await expect(card).toContainText("Browsers do not report how much memory a GPU has. The estimate is compared with the adapter's largest buffer and the browser's device memory hint");
    await expect(card).toContainText('browsers round it down and cap it');
    await shoot(page, testInfo, 'preflight-folder');

    // The estimate follows the context length, and the load uses it.
    await card.getByLabel('Context length').selectOption('1024');
    await expect(memory).toContainText('KV cache (1024 positions)1.00 MiB');
    await card.getByRole('button', { name: 'Load', exact: true }).click();
    const ready = page.getByTestId('model-ready');
    await expect(ready).toContainText('delta · q4 · CPU (wasm) · 1024 positions', { timeout: 30_000 });
    await expect(ready.getByTestId('random-weights')).toBeVisible();
    await expect(card).toHaveCount(0);
    // A folder is read in place: nothing is cached.
    await expect(page.getByTestId('model-cache')).toContainText('Nothing is cached yet');
  });

  test('a manifest that will not fit: the reason, what to change, and Load anyway', async ({ page }, testInfo) => {
    // The 7B shape's q4 weights exceed the CPU backend's 4 GiB heap.
    await checkSevenB(page);
    const card = page.getByTestId('preflight');
    await expect(card).toHaveAttribute('data-verdict', 'no-fit');
    await expect(card.getByTestId('preflight-verdict')).toHaveText('Will not fit');
    await expect(card.getByTestId('preflight-reason')).toHaveText('The weights (4.24 GiB) are larger than the 4 GiB the CPU backend (WebAssembly) can address.');
    await expect(card.getByTestId('preflight-advice')).toContainText('Open the app in a browser with WebGPU on a GPU');
    await expect(card.getByTestId('preflight-backend')).toContainText('Download: 4.24 GiB');
    await expect(card.getByRole('button', { name: 'Load anyway' })).toBeVisible();
    await expect(card.getByTestId('random-weights')).toHaveCount(0);
    // Nothing but the manifest was fetched.
    expect(server!.requests.map((request) => request.path)).toEqual(['manifest.json']);
    await shoot(page, testInfo, 'preflight-no-fit');
    await card.getByRole('button', { name: 'Cancel' }).click();
    await expect(card).toHaveCount(0);
  });

  test('a URL: only the manifest before Load; the download is listed in the cache, opens from there, and deletes', async ({ page }, testInfo) => {
    server!.reset();
    await page.goto('/');
    // The list comes from the engine worker, which starts with the page.
    await expect(page.getByTestId('model-cache')).toContainText('Nothing is cached yet', { timeout: 20_000 });
    await checkBundleUrl(page, `${server!.bundleOrigin}/tiny/`);
    const card = page.getByTestId('preflight');
    await expect(card).toHaveAttribute('data-verdict', 'fits');
    await expect(card.getByTestId('preflight-backend')).toContainText('Download:');
    expect(server!.requests.map((request) => request.path)).toEqual(['manifest.json']);
    await card.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(page.getByTestId('model-ready')).toContainText('delta · q4 · CPU (wasm) · 2048 positions', { timeout: 30_000 });

    const row = page.getByTestId('cached-bundle');
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('delta');
    await expect(row).toContainText(/q4 · \d+(\.\d+)? MiB · used /);
    await expect(row).toContainText(`${server!.bundleOrigin}/tiny/`);
    await expect(row.getByTestId('random-weights')).toBeVisible();
    await expect(page.getByTestId('cache-total')).toContainText(/^\d+(\.\d+)? MiB in 1 model · site storage .+ of .+$/);
    await shoot(page, testInfo, 'cache-listed');

    // Opening the cached copy goes through the same check, and reads nothing from the server.
    server!.reset();
    await row.getByRole('button', { name: 'Open delta' }).click();
    await expect(card.getByTestId('preflight-backend')).toContainText('Read from the cache:');
    // The loaded model stays in use while another is checked.
    await expect(page.getByTestId('model-ready')).toBeVisible();
    await card.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(page.getByTestId('model-ready')).toContainText('delta · q4 · CPU (wasm)', { timeout: 30_000 });
    expect(server!.requests).toEqual([]);

    await row.getByRole('button', { name: 'Delete delta' }).click();
    await expect(page.getByTestId('cached-bundle')).toHaveCount(0);
    await expect(page.getByTestId('model-cache')).toContainText('Nothing is cached yet');
    await expect(page.getByTestId('cache-total')).toContainText('0 B in 0 models');
  });
});

/** Light and dark at the desktop width, and light at 360 px, of the model panel. */
async function shoot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const panel = page.locator('section[aria-labelledby=model-heading]');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await panel.screenshot({ path: testInfo.outputPath(`${name}-${colorScheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  const size = page.viewportSize();
  await page.setViewportSize({ width: 360, height: 800 });
  await panel.screenshot({ path: testInfo.outputPath(`${name}-360.png`) });
  if (size !== null) await page.setViewportSize(size);
}

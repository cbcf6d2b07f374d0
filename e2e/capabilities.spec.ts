import { expect, test } from './fixtures.ts';

test.describe('capability probe', () => {
  test('reports the backend the engine will use, with details on click', async ({ page }, testInfo) => {
    await page.goto('/');
    const badge = page.getByTestId('capability-badge');
    const webgpu = testInfo.project.name === 'webgpu';
    await expect(badge).toHaveAttribute('data-backend', webgpu ? 'webgpu' : 'wasm');

    const isolated = await page.evaluate(() => crossOriginIsolated);
    expect(isolated, 'preview serves COOP/COEP, so the page is cross-origin isolated').toBe(true);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const threads = Math.min(8, cores);

    await badge.click();
    const details = page.getByTestId('capability-details');
    await expect(details).toBeVisible();
    await expect(details).toContainText(`Cross-origin isolated`);
    await expect(details).toContainText(`CPU threads for WebAssembly${threads}`);
    if (webgpu) {
      // Headless Chromium on a machine without a GPU offers SwiftShader: a fallback adapter without shader-f16.
      await expect(badge).toHaveText(/WebGPU · f32/);
      await expect(details).toContainText('Backend' + 'WebGPU');
      await expect(details).toContainText('shader-f16no');
      await expect(details).toContainText(/Largest buffer\d/);
      await expect(details).toContainText('Model variantq4 (4-bit weights, fp32 activations)');
    } else {
      await expect(badge).toHaveText(`CPU · ${threads} thread${threads === 1 ? '' : 's'}`);
      await expect(details).toContainText('BackendCPU (WebAssembly)');
      const notice = page.getByTestId('capability-notice');
      await expect(notice).toContainText('No WebGPU adapter was offered');
      await expect(notice).toContainText('runs on the CPU');
    }
    await page.keyboard.press('Escape');
    await expect(details).toBeHidden();
  });

  test('a worker that cannot start shows a typed error, not a spinner', async ({ page }) => {
    await page.route('**/engine.worker-*.js', (route) =>
      route.fulfill({ contentType: 'text/javascript', body: 'throw new Error("worker bundle is broken");' }),
    );
    await page.goto('/');
    const banner = page.getByTestId('error-banner');
    await expect(banner).toHaveAttribute('data-code', 'WORKER_FAILED');
    await expect(banner).toContainText('The engine worker stopped');
    await expect(banner).toContainText('Reload the page');
    await expect(page.getByTestId('capability-badge')).toHaveText('GPU check failed');
    await banner.getByRole('button', { name: 'Dismiss error' }).click();
    await expect(banner).toBeHidden();
  });
});

test.describe('page shell', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`renders the empty layout in ${colorScheme} mode`, async ({ page }, testInfo) => {
      await page.emulateMedia({ colorScheme });
      await page.goto('/');
      await expect(page.getByRole('heading', { name: 'DepictQA Web' })).toBeVisible();
      await expect(page.getByTestId('capability-badge')).not.toHaveText('Checking GPU…');
      for (const slot of ['reference', 'a', 'b']) await expect(page.getByTestId(`slot-${slot}`)).toBeVisible();
      await expect(page.getByRole('radio')).toHaveCount(6);
      await page.getByRole('radio', { name: /Comparison/ }).check();
      await expect(page.getByRole('radio', { name: /Comparison/ })).toBeChecked();
      await expect(page.getByTestId('answer-empty')).toBeVisible();
      await page.screenshot({ path: testInfo.outputPath(`shell-${colorScheme}.png`), fullPage: true });
    });
  }

  test('fits a 360 px wide phone screen', async ({ page }, testInfo) => {
    await page.setViewportSize({ width: 360, height: 780 });
    await page.goto('/');
    await expect(page.getByTestId('capability-badge')).not.toHaveText('Checking GPU…');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
    await page.screenshot({ path: testInfo.outputPath('shell-360.png'), fullPage: true });
  });
});

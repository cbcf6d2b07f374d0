import sharp from 'sharp';
import { computeMetrics } from '../src/core/metrics/computeMetrics.ts';
import { METRIC_ROWS } from '../src/core/metrics/metricRows.ts';
import { expect, test } from './fixtures.ts';

const WIDTH = 200;
const HEIGHT = 180;

/** A deterministic textured image, and copies with noise of a given amplitude. */
function textured(noise: number, seed: number): Uint8Array {
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5;
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      for (let c = 0; c < 3; c++) {
        const base = 128 + 80 * Math.sin((x + 2 * c) / 7) * Math.cos(y / 5);
        data[(y * WIDTH + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base + noise * random())));
      }
    }
  }
  return data;
}

const png = (data: Uint8Array, width = WIDTH, height = HEIGHT) =>
  sharp(Buffer.from(data), { raw: { width, height, channels: 3 } }).png().toBuffer();

test.describe('classic metrics in the page', () => {
  test.beforeEach(({ browserName: _ }, testInfo) => {
    test.skip(testInfo.project.name !== 'wasm', 'computed on the CPU in a worker: covered by the wasm project');
  });

  test('shows PSNR, SSIM, MS-SSIM and GMSD of A and B equal to the same functions in Node, and which each prefers', async ({ page }, testInfo) => {
    const reference = textured(0, 1);
    const a = textured(12, 2);
    const b = textured(60, 3);
    await page.goto('/');
    await page.getByTestId('file-input-reference').setInputFiles({ name: 'ref.png', mimeType: 'image/png', buffer: await png(reference) });
    await page.getByTestId('file-input-a').setInputFiles({ name: 'a.png', mimeType: 'image/png', buffer: await png(a) });
    await page.getByTestId('file-input-b').setInputFiles({ name: 'b.png', mimeType: 'image/png', buffer: await png(b) });

    const table = page.getByTestId('metrics-table');
    await expect(table).toBeVisible();
    const image = (data: Uint8Array) => ({ width: WIDTH, height: HEIGHT, channels: 3 as const, data });
    const expectedA = computeMetrics(image(reference), image(a), { ssimMap: false });
    const expectedB = computeMetrics(image(reference), image(b), { ssimMap: false });
    for (const row of METRIC_ROWS) {
      const cells = table.locator(`tr[data-metric=${row.id}] td`);
      await expect(cells.nth(0)).toHaveText(row.format(row.value(expectedA)!));
      await expect(cells.nth(1)).toHaveText(row.format(row.value(expectedB)!));
      await expect(cells.nth(2)).toHaveAttribute('data-prefers', 'A');
    }
    await page.screenshot({ path: testInfo.outputPath('metrics.png'), fullPage: true });
  });

  test('transparent pixels keep their stored colour, as PIL reads them (alpha dropped, not composited)', async ({ page }) => {
    const rgb = textured(0, 4);
    const rgba = new Uint8Array(WIDTH * HEIGHT * 4);
    for (let i = 0; i < WIDTH * HEIGHT; i++) {
      rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = i % 3 === 0 ? 0 : i % 3 === 1 ? 128 : 255; // fully transparent, half, opaque
    }
    const rgbaPng = await sharp(Buffer.from(rgba), { raw: { width: WIDTH, height: HEIGHT, channels: 4 } }).png().toBuffer();
    await page.goto('/');
    await page.getByTestId('file-input-reference').setInputFiles({ name: 'opaque.png', mimeType: 'image/png', buffer: await png(rgb) });
    await page.getByTestId('file-input-a').setInputFiles({ name: 'with-alpha.png', mimeType: 'image/png', buffer: rgbaPng });
    await expect(page.locator('tr[data-metric=psnrRgb] td').first()).toHaveText('identical');
  });

  test('identical images read "identical", and a size mismatch says why nothing is computed', async ({ page }) => {
    const reference = textured(0, 1);
    await page.goto('/');
    await page.getByTestId('file-input-reference').setInputFiles({ name: 'ref.png', mimeType: 'image/png', buffer: await png(reference) });
    await page.getByTestId('file-input-a').setInputFiles({ name: 'same.png', mimeType: 'image/png', buffer: await png(reference) });
    await expect(page.locator('tr[data-metric=psnrRgb] td').first()).toHaveText('identical');

    const small = textured(0, 1).subarray(0, 48 * 32 * 3);
    await page.getByTestId('file-input-b').setInputFiles({ name: 'small.png', mimeType: 'image/png', buffer: await png(small, 48, 32) });
    await expect(page.getByTestId('metrics-note')).toContainText('Image B is 48×32 but the reference is 200×180');
    await expect(page.getByTestId('metrics-note')).toContainText('does not need aligned images');
  });
});

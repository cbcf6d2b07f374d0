import sharp from 'sharp';
import { expect, test } from './fixtures.ts';
import { dropImages } from './testing/pageBundle.ts';

async function png(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

test.describe('image slots', () => {
  // Slot handling does not depend on the GPU: run it once, in the project without WebGPU.
  test.beforeEach(({ browserName: _ }, testInfo) => {
    test.skip(testInfo.project.name !== 'wasm', 'covered by the wasm project');
  });

  test('a file chooser fills a slot with its size and format', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('file-input-a').setInputFiles({ name: 'blue.png', mimeType: 'image/png', buffer: await png(64, 48, [0, 0, 255]) });
    await expect(page.getByTestId('slot-caption-a')).toHaveText(/Image A · 64×48 · \d+ B · PNG/);
    await expect(page.getByTestId('slot-a')).toHaveAttribute('data-filled', 'true');
  });

  test('several files dropped on the page go to reference, A and B by name and order', async ({ page }) => {
    await page.goto('/');
    await dropImages(page, 'main', [
      { name: 'restored.png', type: 'image/png', bytes: await png(30, 20, [255, 0, 0]) },
      { name: 'gt_0001.png', type: 'image/png', bytes: await png(40, 20, [0, 255, 0]) },
      { name: 'baseline.png', type: 'image/png', bytes: await png(50, 20, [0, 0, 255]) },
    ]);
    await expect(page.getByTestId('slot-caption-reference')).toContainText('40×20');
    await expect(page.getByTestId('slot-caption-a')).toContainText('30×20');
    await expect(page.getByTestId('slot-caption-b')).toContainText('50×20');

    await page.getByRole('button', { name: 'Swap A and B' }).click();
    await expect(page.getByTestId('slot-caption-a')).toContainText('50×20');
    await expect(page.getByTestId('slot-caption-b')).toContainText('30×20');

    await page.getByRole('button', { name: 'Clear Reference' }).click();
    await expect(page.getByTestId('slot-reference')).toHaveAttribute('data-filled', 'false');
  });

  test('each slot says how the model will see it; A and B of another size than the reference get a warning, not a block', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('file-input-reference').setInputFiles({ name: 'ref.png', mimeType: 'image/png', buffer: await png(400, 300, [9, 9, 9]) });
    await page.getByTestId('file-input-a').setInputFiles({ name: 'a.png', mimeType: 'image/png', buffer: await png(400, 300, [8, 8, 8]) });
    await expect(page.getByTestId('slot-model-view-a')).toHaveText('shown to the model at 299×224, padded to 308×224');
    await expect(page.getByTestId('size-mismatch')).toHaveCount(0);
    await page.getByTestId('file-input-b').setInputFiles({ name: 'b.png', mimeType: 'image/png', buffer: await png(50, 40, [7, 7, 7]) });
    await expect(page.getByTestId('slot-model-view-b')).toHaveText('shown to the model at 50×40 (as is), padded to 70×70');
    await expect(page.getByTestId('size-mismatch')).toContainText('B is 50×40, the reference 400×300');
    await expect(page.getByTestId('slot-b')).toHaveAttribute('data-filled', 'true');
  });

  test('files dropped on the model panel are not taken as images; the panel asks for the bundle folder', async ({ page }) => {
    await page.goto('/');
    await dropImages(page, '[data-testid=model-panel]', [{ name: 'photo.png', type: 'image/png', bytes: await png(12, 12, [5, 5, 5]) }]);
    await expect(page.getByTestId('model-error')).toContainText('not a folder');
    await expect(page.getByTestId('model-error')).toContainText('manifest.json');
    await expect(page.getByTestId('slot-a')).toHaveAttribute('data-filled', 'false');
  });

  test('a drop on a slot replaces that slot only', async ({ page }) => {
    await page.goto('/');
    await dropImages(page, '[data-testid=slot-b]', [{ name: 'x.png', type: 'image/png', bytes: await png(10, 10, [9, 9, 9]) }]);
    await expect(page.getByTestId('slot-caption-b')).toContainText('10×10');
    await expect(page.getByTestId('slot-a')).toHaveAttribute('data-filled', 'false');
  });

  test('bad files give an inline message and leave the other slots and the old image intact', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('file-input-a').setInputFiles({ name: 'good.png', mimeType: 'image/png', buffer: await png(20, 20, [1, 2, 3]) });
    await page.getByTestId('file-input-b').setInputFiles({ name: 'other.png', mimeType: 'image/png', buffer: await png(21, 21, [1, 2, 3]) });
    await expect(page.getByTestId('slot-caption-b')).toContainText('21×21');

    await page.getByTestId('file-input-a').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('just some text, not an image\n') });
    await expect(page.getByTestId('slot-error-a')).toHaveAttribute('data-code', 'IMAGE_DECODE_FAILED');
    await expect(page.getByTestId('slot-error-a')).toContainText('notes.png is not an image (it starts with text)');

    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await page.getByTestId('file-input-a').setInputFiles({ name: 'logo.svg', mimeType: 'image/svg+xml', buffer: svg });
    await expect(page.getByTestId('slot-error-a')).toContainText('export it to PNG');
    await expect(page.getByTestId('slot-caption-a')).toContainText('20×20');

    await page.getByTestId('file-input-a').setInputFiles({ name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) });
    await expect(page.getByTestId('slot-error-a')).toContainText('empty.png: the file is empty');

    const truncated = (await png(64, 64, [200, 100, 50])).subarray(0, 60);
    await page.getByTestId('file-input-a').setInputFiles({ name: 'cut.png', mimeType: 'image/png', buffer: truncated });
    await expect(page.getByTestId('slot-error-a')).toContainText('cut.png');
    await expect(page.getByTestId('slot-caption-b')).toContainText('21×21');
  });
});

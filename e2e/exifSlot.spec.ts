import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';

const CORPUS = join(import.meta.dirname, 'oddImages');
const file = (name: string, mimeType: string) => ({ name, mimeType, buffer: readFileSync(join(CORPUS, name)) });

test.describe('what a slot says about the model’s input', () => {
  test.beforeEach(({ browserName: _ }, testInfo) => {
    test.skip(testInfo.project.name !== 'wasm', 'covered by the wasm project');
  });

  test('an EXIF-rotated photo is shown rotated, fed as stored, and “Use as displayed” puts an upright PNG in the slot', async ({ page }, testInfo) => {
    await page.goto('/');
    // orientation6.jpg is stored 40×30 and asks to be shown turned 90° clockwise (30×40).
    await page.getByTestId('file-input-a').setInputFiles(file('orientation6.jpg', 'image/jpeg'));
    await expect(page.getByTestId('slot-caption-a')).toHaveText(/Image A · 40×30 · .* · JPEG/);
    await expect(page.getByTestId('slot-note-a')).toContainText('Shown rotated; the model sees it as stored, like DepictQA.');
    const preview = page.getByRole('img', { name: 'Image A: orientation6.jpg' });
    // The preview follows the EXIF tag: its natural size is the displayed 30×40.
    expect(await preview.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([30, 40]);
    await page.screenshot({ path: testInfo.outputPath('exif-note-light.png') });

    await page.getByRole('button', { name: 'Use as displayed' }).click();
    await expect(page.getByTestId('slot-caption-a')).toHaveText(/Image A · 30×40 · .* · PNG/);
    await expect(page.getByTestId('slot-note-a')).toHaveCount(0);
    await expect(page.getByRole('img', { name: 'Image A: orientation6 (as displayed).png' })).toBeVisible();
    await expect(page.getByTestId('slot-model-view-a')).toHaveText('shown to the model at 30×40 (as is), padded to 70×70');
    await page.screenshot({ path: testInfo.outputPath('as-displayed-light.png') });
  });

  test('a 16-bit PNG says that the model sees it reduced to 8 bits', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('file-input-b').setInputFiles(file('grey16.png', 'image/png'));
    await expect(page.getByTestId('slot-caption-b')).toHaveText(/Image B · 40×30 · .* · PNG/);
    await expect(page.getByTestId('slot-note-b')).toHaveText(/^16-bit PNG, reduced to 8 bits/);
    await expect(page.getByRole('button', { name: 'Use as displayed' })).toHaveCount(0);
  });

  test('an upright 8-bit file gets no note', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('file-input-a').setInputFiles(file('baseline.jpg', 'image/jpeg'));
    await expect(page.getByTestId('slot-caption-a')).toHaveText(/Image A · 40×30/);
    await expect(page.getByTestId('slot-note-a')).toHaveCount(0);
  });
});

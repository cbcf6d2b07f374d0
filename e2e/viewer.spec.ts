import sharp from 'sharp';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const WIDTH = 200;
const HEIGHT = 180;
/** The block of B that differs from the reference: x, y, width, height. */
const CHANGED = { x: 150, y: 20, width: 24, height: 24 };

/** A smooth deterministic pattern (no noise, so the PNGs stay small). */
function pattern(width = WIDTH, height = HEIGHT): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.round(128 + 80 * Math.sin((x + 3 * c) / 9) * Math.cos(y / 7));
    }
  }
  return data;
}

function withChangedBlock(data: Uint8Array): Uint8Array {
  const out = data.slice();
  for (let y = CHANGED.y; y < CHANGED.y + CHANGED.height; y++) {
    for (let x = CHANGED.x; x < CHANGED.x + CHANGED.width; x++) out[(y * WIDTH + x) * 3] = (out[(y * WIDTH + x) * 3]! + 120) % 256;
  }
  return out;
}

const png = (data: Uint8Array, width = WIDTH, height = HEIGHT) => sharp(Buffer.from(data), { raw: { width, height, channels: 3 } }).png().toBuffer();

async function fill(page: Page, slots: Partial<Record<'reference' | 'a' | 'b', Buffer>>) {
  for (const [slot, buffer] of Object.entries(slots)) {
    await page.getByTestId(`file-input-${slot}`).setInputFiles({ name: `${slot}.png`, mimeType: 'image/png', buffer });
    await expect(page.getByTestId(`slot-${slot}`)).toHaveAttribute('data-filled', 'true');
  }
}

/** One pixel of an overlay canvas, in the canvas's own (map) coordinates. */
function canvasPixel(canvas: Locator, x: number, y: number): Promise<number[]> {
  return canvas.evaluate((element, [px, py]) => [...(element as HTMLCanvasElement).getContext('2d')!.getImageData(px!, py!, 1, 1).data], [x, y]);
}

const transforms = (page: Page) => page.getByTestId('viewer-layer').evaluateAll((layers) => layers.map((layer) => (layer as HTMLElement).style.transform));

test.describe('image viewer', () => {
  test.beforeEach(({ browserName: _ }, testInfo) => {
    test.skip(testInfo.project.name !== 'wasm', 'pixels and the metrics worker on the CPU: covered by the wasm project');
  });

  test('zoom is shared by all panes, 1:1 is pixel-exact, flicker and overlays follow the keys', async ({ page }, testInfo) => {
    const reference = pattern();
    await page.goto('/');
    await fill(page, { reference: await png(reference), a: await png(reference), b: await png(withChangedBlock(reference)) });
    const viewer = page.getByTestId('image-viewer');
    await expect(viewer.getByTestId('viewer-pane')).toHaveCount(3);
    await page.screenshot({ path: testInfo.outputPath('viewer-light.png'), fullPage: true });

    // 1. A key zooms every pane alike.
    await viewer.locator('[data-testid=viewer-pane][data-slot=reference]').click();
    const fitted = await viewer.getByTestId('viewer-zoom').textContent();
    await page.keyboard.press('+');
    await expect(viewer.getByTestId('viewer-zoom')).not.toHaveText(fitted!);
    const zoomed = await transforms(page);
    expect(zoomed).toHaveLength(3);
    expect(new Set(zoomed).size).toBe(1);
    expect(zoomed[0]).toMatch(/scale\(/);

    // 2. 1:1: one image pixel per device pixel; a drag pans every pane alike.
    await viewer.getByRole('button', { name: '1:1' }).click();
    await expect(viewer.getByTestId('viewer-zoom')).toHaveText('100%');
    const box = await viewer.getByTestId('viewer-image').first().boundingBox();
    const dpr = await page.evaluate(() => window.devicePixelRatio);
    expect(box!.width * dpr).toBeCloseTo(WIDTH, 5);
    expect(box!.height * dpr).toBeCloseTo(HEIGHT, 5);
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await expect(viewer.getByTestId('viewer-image').first()).toHaveCSS('image-rendering', 'pixelated');
    const pane = await viewer.locator('[data-testid=viewer-pane][data-slot=a]').boundingBox();
    const before = await transforms(page);
    await page.mouse.move(pane!.x + pane!.width / 2, pane!.y + pane!.height / 2);
    await page.mouse.down();
    await page.mouse.move(pane!.x + pane!.width / 2 + 30, pane!.y + pane!.height / 2 + 10, { steps: 3 });
    await page.mouse.up();
    const dragged = await transforms(page);
    expect(dragged[0]).not.toBe(before[0]);
    expect(new Set(dragged).size).toBe(1);

    // The wheel zooms too, about the pointer, in every pane alike.
    const beforeWheel = await viewer.getByTestId('viewer-zoom').textContent();
    await page.mouse.move(pane!.x + 20, pane!.y + 20);
    await page.mouse.wheel(0, -300);
    await expect(viewer.getByTestId('viewer-zoom')).not.toHaveText(beforeWheel!);
    expect(new Set(await transforms(page)).size).toBe(1);

    // 3. Flicker: F shows one frame, F again flips A ↔ B at the same view; 1 shows the reference.
    await page.keyboard.press('f');
    await expect(viewer).toHaveAttribute('data-mode', 'flicker');
    await expect(viewer.getByTestId('viewer-shown')).toHaveText('Image A');
    await page.keyboard.press('f');
    await expect(viewer.getByTestId('viewer-shown')).toHaveText('Image B');
    await page.keyboard.press('1');
    await expect(viewer.getByTestId('viewer-shown')).toHaveText('Reference');
    expect(new Set(await transforms(page)).size).toBe(1);
    // Auto-flicker moves on by itself.
    await viewer.getByTestId('viewer-flicker-interval').selectOption('250');
    await expect(viewer.getByTestId('viewer-shown')).not.toHaveText('Reference');
    await viewer.getByTestId('viewer-flicker-interval').selectOption('0');
    await viewer.getByTestId('viewer-pane').focus();
    await page.screenshot({ path: testInfo.outputPath('viewer-zoomed.png') });

    // 4. Swipe: S splits A and B; the divider moves with the arrow keys.
    await page.keyboard.press('s');
    await expect(viewer).toHaveAttribute('data-mode', 'swipe');
    const divider = viewer.getByTestId('viewer-swipe-divider');
    await expect(divider).toHaveAttribute('aria-valuenow', '50');
    await divider.focus();
    await page.keyboard.press('ArrowRight');
    await expect(divider).toHaveAttribute('aria-valuenow', '52');
    await expect(viewer.locator('[data-side=right]')).toHaveAttribute('style', /inset\(0px 0px 0px 52%\)/);
    await viewer.screenshot({ path: testInfo.outputPath('viewer-swipe.png') });
    // Dragging the handle moves the divider, not the images.
    const frameBox = (await viewer.getByTestId('viewer-pane').boundingBox())!;
    const handle = (await divider.boundingBox())!;
    const swipeView = await transforms(page);
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(frameBox.x + frameBox.width / 4, handle.y + handle.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect(divider).toHaveAttribute('aria-valuenow', '25');
    expect(await transforms(page)).toEqual(swipeView);

    // 5. The difference map: identical A is all "no difference", B's changed block is hot.
    await page.keyboard.press('Escape');
    await expect(viewer).toHaveAttribute('data-mode', 'side');
    await page.keyboard.press('0');
    await page.keyboard.press('d');
    const diffA = viewer.locator('[data-testid=viewer-layer][data-slot=a] [data-testid=viewer-diff]');
    const diffB = viewer.locator('[data-testid=viewer-layer][data-slot=b] [data-testid=viewer-diff]');
    await expect(diffA).toBeVisible();
    await expect(diffB).toBeVisible();
    await expect(viewer.getByTestId('viewer-diff-legend')).toBeVisible();
    expect(await canvasPixel(diffA, CHANGED.x + 5, CHANGED.y + 5)).toEqual([0, 0, 4, 255]);
    expect(await canvasPixel(diffB, 10, 10)).toEqual([0, 0, 4, 255]);
    const hot = await canvasPixel(diffB, CHANGED.x + 5, CHANGED.y + 5);
    expect(hot[0]).toBeGreaterThan(240);
    expect(hot[1]).toBeGreaterThan(200);
    await expect(viewer.getByTestId('viewer-diff-stats')).toContainText('A: largest 0, mean 0.00, no pixel differs');
    await page.screenshot({ path: testInfo.outputPath('viewer-diff.png'), fullPage: true });

    // 6. The SSIM overlay toggles, with its legend and opacity.
    await viewer.getByRole('button', { name: 'SSIM map' }).click();
    const ssimB = viewer.locator('[data-testid=viewer-layer][data-slot=b] [data-testid=viewer-ssim]');
    await expect(ssimB).toBeVisible();
    await expect(viewer.getByTestId('viewer-diff')).toHaveCount(0);
    await expect(viewer.getByTestId('viewer-ssim-legend')).toContainText('0 (or less)');
    expect(await canvasPixel(ssimB, 10, 10)).toEqual([59, 76, 192, 255]); // SSIM 1 where B equals the reference
    await expect(ssimB).toHaveCSS('opacity', '0.6');
    await viewer.screenshot({ path: testInfo.outputPath('viewer-ssim.png') });
    await page.keyboard.press('m');
    await expect(viewer.getByTestId('viewer-ssim')).toHaveCount(0);
  });

  test('on a high-density screen 1:1 is one image pixel per device pixel', async ({ browser }) => {
    const context = await browser.newContext({ deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto('/');
    await fill(page, { a: await png(pattern()) });
    const viewer = page.getByTestId('image-viewer');
    await viewer.getByRole('button', { name: '1:1' }).click();
    await expect(viewer.getByTestId('viewer-zoom')).toHaveText('100%');
    const box = await viewer.getByTestId('viewer-image').boundingBox();
    expect(box!.width).toBeCloseTo(WIDTH / 2, 5);
    await expect(viewer.getByTestId('viewer-image')).not.toHaveCSS('image-rendering', 'pixelated');
    await context.close();
  });

  test('images of another size than the reference turn the overlays off and say why', async ({ page }) => {
    await page.goto('/');
    await fill(page, { reference: await png(pattern()), a: await png(pattern(48, 32), 48, 32) });
    const viewer = page.getByTestId('image-viewer');
    await expect(viewer.getByTestId('viewer-overlay-note')).toHaveText(
      'Image A is 48×32 but the reference is 200×180: the difference and SSIM maps compare aligned pixels, so they are off for it.',
    );
    await expect(viewer.getByRole('button', { name: 'Difference' })).toBeDisabled();
    await expect(viewer.getByRole('button', { name: 'SSIM map' })).toBeDisabled();
    await viewer.getByTestId('viewer-pane').first().click();
    await page.keyboard.press('d');
    await expect(viewer.getByTestId('viewer-diff')).toHaveCount(0);

    // A matching B brings the overlays back for B only.
    await fill(page, { b: await png(pattern()) });
    await expect(viewer.getByRole('button', { name: 'Difference' })).toBeEnabled();
    await viewer.getByRole('button', { name: 'Difference' }).click();
    await expect(viewer.locator('[data-testid=viewer-layer][data-slot=b] [data-testid=viewer-diff]')).toBeVisible();
    await expect(viewer.locator('[data-testid=viewer-layer][data-slot=a] [data-testid=viewer-diff]')).toHaveCount(0);
  });

  test('looks right in dark mode and at 360 px', async ({ page }, testInfo) => {
    const reference = pattern();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto('/');
    await fill(page, { reference: await png(reference), a: await png(reference), b: await png(withChangedBlock(reference)) });
    const viewer = page.getByTestId('image-viewer');
    await viewer.getByRole('button', { name: 'Difference' }).click();
    await expect(viewer.getByTestId('viewer-diff')).toHaveCount(2);
    await page.screenshot({ path: testInfo.outputPath('viewer-dark.png'), fullPage: true });

    await page.setViewportSize({ width: 360, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await viewer.getByRole('button', { name: 'Flicker' }).click();
    await viewer.getByRole('button', { name: 'Keys' }).click();
    await expect(viewer.getByTestId('viewer-shortcuts')).toBeVisible();
    // Stacked, every pane as wide as the viewer allows and inside the page.
    const frame = await viewer.getByTestId('viewer-pane').boundingBox();
    expect(frame!.x).toBeGreaterThanOrEqual(0);
    expect(frame!.x + frame!.width).toBeLessThanOrEqual(360);
    await page.screenshot({ path: testInfo.outputPath('viewer-360-keys.png') });
    await page.keyboard.press('Escape');
    await expect(viewer.getByTestId('viewer-shortcuts')).toHaveCount(0);
    await viewer.screenshot({ path: testInfo.outputPath('viewer-360.png') });
  });
});

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { Download, Page } from '@playwright/test';
import type { LocalizeRecord } from '../src/core/engine/localize.ts';
import type { HistoryExport } from '../src/core/history/exportHistory.ts';
import { quadrantPair } from '../src/core/localize/testing/quadrantPair.ts';
import type { RgbImage } from '../src/core/vision/rgbImage.ts';
import { expect, test } from './fixtures.ts';
import { expectNoViolations } from './testing/axe.ts';
import { askJson, chooseImage, loadPageBundle, pageFlowBundle, setMaxNewTokens, writeImage, type AskRecord, type PageBundle } from './testing/pageBundle.ts';

const SIDE = 160;
const ANSWER_TOKENS = 12;
/** The tile the test clicks: A's blurred quadrant, which the map asks about. */
const CLICKED = { row: 0, col: 0, x: 0, y: 0, w: SIDE / 2, h: SIDE / 2 };

interface Prepared {
  files: { reference: Buffer; a: Buffer; b: Buffer };
  /** The same scene at 576 px a side: an 8×8 grid of 72 px tiles, 32 of them asked. */
  large: { reference: Buffer; a: Buffer; b: Buffer };
  /** `npm run ask -- --task localize --grid 2x2 --json` of the same images and bundle. */
  expected: LocalizeRecord;
  /** `npm run ask -- --task reasoning` of the clicked tile's crops, cut in Node. */
  tileAnswer: AskRecord;
}

const png = (image: RgbImage) => sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).png().toBuffer();
const cropPng = (bytes: Buffer) => sharp(bytes).extract({ left: CLICKED.x, top: CLICKED.y, width: CLICKED.w, height: CLICKED.h }).png().toBuffer();

/** The quadrant scene (A blurred top-left, B noisy bottom-right), its map in Node, and the clicked tile's answer in Node. */
async function prepare(bundle: PageBundle): Promise<Prepared> {
  const scene = quadrantPair(SIDE, SIDE);
  const files = { reference: await png(scene.reference), a: await png(scene.a), b: await png(scene.b) };
  const paths = {
    reference: await writeImage(bundle, 'reference.png', files.reference),
    a: await writeImage(bundle, 'a.png', files.a),
    b: await writeImage(bundle, 'b.png', files.b),
  };
  const args = ['tsx', 'cli/ask.ts', '--task', 'localize', '--grid', '2x2', '--bundle', bundle.bundleDir, '--device', 'cpu', '--json'];
  args.push('--ref', paths.reference, '--a', paths.a, '--b', paths.b);
  const { stdout } = await promisify(execFile)('npx', args, { cwd: resolve(import.meta.dirname, '..') });
  const expected = (JSON.parse(stdout) as { localize: LocalizeRecord }).localize;
  const crops = {
    reference: await writeImage(bundle, 'reference-r1c1.png', await cropPng(files.reference)),
    a: await writeImage(bundle, 'a-r1c1.png', await cropPng(files.a)),
    b: await writeImage(bundle, 'b-r1c1.png', await cropPng(files.b)),
  };
  const tileAnswer = await askJson(bundle, { task: 'reasoning', images: crops, questionIndex: 0, maxNewTokens: ANSWER_TOKENS });
  const big = quadrantPair(576, 576);
  const large = { reference: await png(big.reference), a: await png(big.a), b: await png(big.b) };
  return { files, large, expected, tileAnswer };
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFile((await (download as Download).path())!, 'utf8');
}

test.describe('Where: the local quality map', () => {
  // A model load, 2 tiles × 2 orders and one short answer on the CPU, on two shared cores.
  const flow = pageFlowBundle({ project: 'wasm', prepare, setupTimeoutMs: 240_000, testTimeoutMs: 240_000 });

  test('the map is drawn over the viewer as Node makes it, a tile click streams its Reasoning, and History exports the map', async ({ page }, testInfo) => {
    const { bundle, files, expected, tileAnswer } = flow();
    await page.goto('/');
    await loadPageBundle(page, bundle);
    await chooseImage(page, 'reference', 'reference.png', files.reference);
    await chooseImage(page, 'a', 'a.png', files.a);
    await chooseImage(page, 'b', 'b.png', files.b);
    await setMaxNewTokens(page, ANSWER_TOKENS);

    const viewer = page.getByTestId('image-viewer');
    await viewer.getByRole('button', { name: 'Where', exact: true }).click();
    const panel = page.getByTestId('where-panel');
    // 160 px a side: one tile near the model's 224 by default, two a side at the finest (70 px minimum).
    await expect(panel.getByRole('button', { name: 'Make 1×1 map' })).toBeVisible();
    await panel.getByTestId('where-rows').selectOption('2');
    await panel.getByTestId('where-cols').selectOption('2');
    await expect(panel.getByTestId('where-rows').locator('option')).toHaveCount(3);
    await panel.getByRole('button', { name: 'Make 2×2 map' }).click();
    await expect(panel).toHaveAttribute('data-status', 'done', { timeout: 180_000 });

    // Every pane shows the four tiles; the two quadrants where A and B are identical are skipped, without a model call.
    const paneTiles = viewer.locator('[data-testid=viewer-where][data-slot=a] [data-testid=viewer-where-tile]');
    await expect(paneTiles).toHaveCount(4);
    await expect(viewer.getByTestId('viewer-where-tile')).toHaveCount(12);
    const shown = await paneTiles.evaluateAll((elements) =>
      elements.map((element) => ({ tile: element.getAttribute('data-tile'), skipped: element.getAttribute('data-skipped') === 'true', pA: element.getAttribute('data-pa') })),
    );
    expect(shown.map((tile) => tile.tile)).toEqual(['r1c1', 'r1c2', 'r2c1', 'r2c2']);
    expect(shown.map((tile) => tile.skipped)).toEqual(expected.tiles.map((tile) => tile.skipped));
    expect(shown.map((tile) => tile.skipped)).toEqual([false, true, true, false]);
    for (const [k, tile] of shown.entries()) {
      if (tile.skipped) continue;
      // The page's wasm engine and Node's make the same map.
      expect(Number(tile.pA)).toBeCloseTo(expected.tiles[k]!.pA!, 4);
    }
    await expect(panel.getByTestId('where-legend')).toContainText('no visible difference');
    await expect(panel.getByTestId('where-summary')).toContainText('2×2 map of A against B');
    await expect(panel.getByTestId('where-summary')).toContainText(`${expected.stats.visionRuns} vision runs`);
    await viewer.screenshot({ path: testInfo.outputPath('where-map.png') });
    await expectNoViolations(page, testInfo, 'where-map');

    // A click on A's blurred quadrant, in the viewer (not a drag), asks Reasoning about that tile's crops.
    const clicked = viewer.locator('[data-testid=viewer-where][data-slot=a] [data-tile=r1c1]');
    const box = (await clicked.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(clicked).toHaveAttribute('data-tile', 'r1c1');
    // The crops the page cut are the pixels Node cut: the same greedy answer, token for token.
    await expect(page.getByTestId('answer-text')).toHaveText(tileAnswer.answer);
    await viewer.screenshot({ path: testInfo.outputPath('where-clicked.png') });

    // History holds the map (with its three images) and the tile's answer (with the crops).
    const items = page.getByTestId('history-item');
    await expect(items).toHaveCount(2);
    const mapItem = items.filter({ hasText: 'Where (quality map)' });
    await expect(mapItem).toHaveCount(1);
    const json = JSON.parse(await downloaded(page, () => mapItem.getByRole('button', { name: /as JSON$/ }).click())) as HistoryExport;
    const saved = json.runs[0]!;
    expect(saved.task).toBe('localize');
    expect(saved.images.map((image) => image.slot)).toEqual(['reference', 'a', 'b']);
    expect(saved.localize!.tiles.map((tile) => tile.skipped)).toEqual([false, true, true, false]);
    expect(saved.localize!.tiles[0]!.pA).toBeCloseTo(expected.tiles[0]!.pA!, 4);
    const markdown = await downloaded(page, () => mapItem.getByRole('button', { name: /as Markdown$/ }).click());
    expect(markdown).toContain('| r1c2 | 80 | 0 | 80 × 80 | – | no visible difference: identical pixels |');
    const answerItem = items.filter({ hasText: 'Reasoning' });
    const answerJson = JSON.parse(await downloaded(page, () => answerItem.getByRole('button', { name: /as JSON$/ }).click())) as HistoryExport;
    expect(answerJson.runs[0]!.images.map((image) => image.name)).toEqual(['reference-r1c1.png', 'a-r1c1.png', 'b-r1c1.png']);

    // Opened from History after a reload, the map is back over its images, nothing asked again.
    await page.reload();
    await page.getByTestId('history-item').filter({ hasText: 'Where (quality map)' }).getByRole('button', { name: /^Open the/ }).click();
    await expect(viewer.getByTestId('viewer-where-tile')).toHaveCount(12);
    await expect(page.getByTestId('where-panel')).toHaveAttribute('data-status', 'done');
    const reopened = await viewer.locator('[data-testid=viewer-where][data-slot=b] [data-tile=r2c2]').getAttribute('data-pa');
    expect(Number(reopened)).toBeCloseTo(expected.tiles[3]!.pA!, 4);
  });

  test('Stop keeps the tiles done and Go on asks the rest; a reload mid-map leaves the tiles done in History to go on with', async ({ page }) => {
    const { bundle, files, large } = flow();
    await page.goto('/');
    await loadPageBundle(page, bundle);
    await chooseImage(page, 'reference', 'reference.png', large.reference);
    await chooseImage(page, 'a', 'a.png', large.a);
    await chooseImage(page, 'b', 'b.png', files.b);
    const viewer = page.getByTestId('image-viewer');
    const where = viewer.getByRole('button', { name: 'Where', exact: true });
    await expect(where).toBeDisabled();
    await expect(where).toHaveAttribute('title', "Image B is 160×160 but Image A is 576×576: the map's tiles are aligned crops, so the images must be the same size.");

    // Replaced through the slot's file input (a filled slot offers Replace, not Choose).
    await page.getByTestId('file-input-b').setInputFiles({ name: 'b.png', mimeType: 'image/png', buffer: large.b });
    await expect(where).toBeEnabled();
    await where.click();
    const panel = page.getByTestId('where-panel');
    await panel.getByTestId('where-rows').selectOption('8');
    await panel.getByTestId('where-cols').selectOption('8');
    await panel.getByRole('button', { name: 'Make 8×8 map' }).click();
    const progress = panel.getByTestId('where-progress');
    const tilesDone = async () => Number(await progress.getAttribute('data-done'));
    await expect.poll(tilesDone, { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
    await panel.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(panel).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
    const stopped = await tilesDone();
    expect(stopped).toBeGreaterThanOrEqual(2);
    expect(stopped).toBeLessThan(64);
    await expect(progress).toContainText(`${stopped} of 64 tiles (stopped)`);
    await expect(viewer.getByTestId('viewer-where-tile')).toHaveCount(3 * stopped);
    await expect(panel.getByTestId('where-summary')).toContainText(`(stopped after ${stopped} of 64 tiles)`);
    const mapItems = page.getByTestId('history-item').filter({ hasText: 'Where (quality map)' });
    await expect(mapItems).toHaveAttribute('data-status', 'stopped');
    const firstTile = await viewer.locator('[data-testid=viewer-where][data-slot=a] [data-tile=r1c1]').getAttribute('data-pa');

    // Go on, then close the page mid-map: the tiles done so far are in History.
    await panel.getByRole('button', { name: 'Go on', exact: true }).click();
    await expect.poll(tilesDone, { timeout: 120_000 }).toBeGreaterThanOrEqual(stopped + 2);
    await page.reload();
    await loadPageBundle(page, bundle);
    await expect(mapItems).toHaveCount(1);
    await expect(mapItems).toHaveAttribute('data-status', 'stopped');
    await mapItems.getByRole('button', { name: /^Open the/ }).click();
    await expect(panel).toHaveAttribute('data-status', 'stopped');
    const kept = await tilesDone();
    expect(kept).toBeGreaterThanOrEqual(stopped);
    await expect(viewer.getByTestId('viewer-where-tile')).toHaveCount(3 * kept);

    // Going on asks only the tiles the map lacks; the record in History is the same one, now whole.
    await panel.getByRole('button', { name: 'Go on', exact: true }).click();
    await expect(panel).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
    await expect(viewer.getByTestId('viewer-where-tile')).toHaveCount(3 * 64);
    await expect(panel.getByTestId('where-summary')).toContainText('8×8 map of A against B: ');
    await expect(panel.getByTestId('where-summary')).not.toContainText('stopped');
    await expect(viewer.locator('[data-testid=viewer-where][data-slot=a] [data-tile=r1c1]')).toHaveAttribute('data-pa', firstTile!);
    await expect(mapItems).toHaveCount(1);
    await expect(mapItems).toHaveAttribute('data-status', 'done');
  });

  test('with A alone and the reference, each tile names its distortion, and a click describes its crop', async ({ page }) => {
    const { bundle, files } = flow();
    await page.goto('/');
    await loadPageBundle(page, bundle);
    await chooseImage(page, 'reference', 'reference.png', files.reference);
    await chooseImage(page, 'a', 'a.png', files.a);
    await setMaxNewTokens(page, ANSWER_TOKENS);
    const viewer = page.getByTestId('image-viewer');
    await viewer.getByRole('button', { name: 'Where', exact: true }).click();
    const panel = page.getByTestId('where-panel');
    await panel.getByTestId('where-rows').selectOption('2');
    await panel.getByTestId('where-cols').selectOption('2');
    await panel.getByRole('button', { name: 'Make 2×2 map' }).click();
    await expect(panel).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    // Only A's blurred quadrant differs from the reference: the other three are skipped by their SSIM.
    const tiles = viewer.locator('[data-testid=viewer-where][data-slot=a] [data-testid=viewer-where-tile]');
    await expect(tiles).toHaveCount(4);
    expect(await tiles.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-skipped')))).toEqual(['false', 'true', 'true', 'true']);
    await expect(tiles.first()).toHaveAttribute('aria-label', /^Tile r1c1 \(80×80 at 0, 0\): /);
    await expect(panel.getByTestId('where-summary')).toContainText("2×2 map of A's distortions");
    // The tile's button does what a click in the viewer does: Description of A's crop against the reference's.
    await panel.getByText(/^Ask why about one tile/).click();
    await panel.getByTestId('where-tile-button').first().click();
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('history-item').filter({ hasText: 'Description' })).toHaveCount(1);
  });
});

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import type { Download, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { beginRecord, updateRecord } from '../src/core/history/record.ts';
import { loadPageBundle, pageFlowBundle, patternPng, type PageBundle } from './testing/pageBundle.ts';

/** Few tokens for the saved run; the crash test needs an answer long enough to reload in the middle of. */
const ANSWER_TOKENS = 24;
const LONG_ANSWER_TOKENS = 2000;
/** Reading the history after a reload waits for the page to start, which takes seconds on busy shared cores. */
const LOAD_TIMEOUT = 20_000;

/** The run's settings sit in a collapsed section when the page has one. */
async function setMaxNewTokens(page: Page, value: number): Promise<void> {
  const field = page.getByLabel('Max new tokens');
  if (!(await field.isVisible())) await page.getByText('Generation settings').click();
  await field.fill(String(value));
}

async function startDescription(page: Page, { bundle, imageA }: { bundle: PageBundle; imageA: Buffer }, tokens: number): Promise<void> {
  await page.goto('/');
  await loadPageBundle(page, bundle);
  await page.getByTestId('file-input-a').setInputFiles({ name: 'a.png', mimeType: 'image/png', buffer: imageA });
  await expect(page.getByTestId('slot-a')).toHaveAttribute('data-filled', 'true');
  await page.getByLabel('Question').selectOption('0');
  await setMaxNewTokens(page, tokens);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: (download as Download).suggestedFilename(), text: await readFile((await download.path())!, 'utf8') };
}

test.describe('run history', () => {
  const flow = pageFlowBundle({ project: 'wasm', prepare: async () => ({ imageA: await patternPng() }), testTimeoutMs: 180_000 });

  test('a finished run is saved, survives a reload, opens again with its image, exports as JSON and Markdown, copies and deletes', async ({ page, context }, testInfo) => {
    const { bundle, imageA } = flow();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await startDescription(page, { bundle, imageA }, ANSWER_TOKENS);
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    const answer = (await page.getByTestId('answer-text').textContent()) ?? '';
    expect(answer.length).toBeGreaterThan(0);
    const firstLine = answer.split('\n').find((line) => line.trim() !== '')!.trim();

    const items = page.getByTestId('history-item');
    await expect(items).toHaveCount(1);
    await expect(items.first()).toHaveAttribute('data-status', 'done');
    await expect(items.first().getByTestId('history-line')).toHaveText(firstLine);
    await expect(items.first()).toContainText('Description');
    await expect(items.first().getByRole('img', { name: 'Image A: a.png' })).toBeVisible();
    await page.getByTestId('history-panel').screenshot({ path: testInfo.outputPath('history-light.png') });

    // Copy, with feedback, and the clipboard holds the answer.
    await items.first().getByTestId('history-copy').click();
    await expect(items.first().getByTestId('history-copy')).toHaveAttribute('data-state', 'copied');
    await expect(items.first().getByTestId('history-copy')).toContainText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(answer);

    // A reload keeps the run, with its answer; the slots and the answer panel start empty.
    await page.reload();
    await expect(items).toHaveCount(1, { timeout: LOAD_TIMEOUT });
    await expect(items.first().getByTestId('history-line')).toHaveText(firstLine);
    await expect(page.getByTestId('slot-a')).toHaveAttribute('data-filled', 'false');
    await expect(page.getByTestId('answer-empty')).toBeVisible();

    // Opening it puts the image back in its slot and the answer in the panel.
    await items.first().getByRole('button', { name: /^Open the Description run/ }).click();
    await expect(page.getByTestId('slot-a')).toHaveAttribute('data-filled', 'true');
    await expect(page.getByRole('img', { name: 'Image A: a.png' }).first()).toBeVisible();
    await expect(page.getByTestId('slot-caption-a')).toContainText('70×84');
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'done');
    await expect(page.getByTestId('answer-text')).toHaveText(answer);
    await expect(items.first()).toHaveAttribute('aria-current', 'true');
    await page.screenshot({ path: testInfo.outputPath('history-opened-light.png'), fullPage: true });

    // JSON: everything but the image bytes; the image named, sized and hashed.
    const json = await downloaded(page, () => items.first().getByRole('button', { name: /as JSON$/ }).click());
    expect(json.name).toMatch(/^depictqa-description-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json$/);
    const exported = JSON.parse(json.text) as { format: string; runs: Array<Record<string, unknown>> };
    expect(exported.format).toBe('depictqa-web-history');
    expect(exported.runs).toHaveLength(1);
    const run = exported.runs[0]!;
    expect(run).toMatchObject({ task: 'description', status: 'done', answer, interrupted: false, settings: { maxNewTokens: ANSWER_TOKENS } });
    expect(run.model).toMatchObject({ variant: 'q4', backend: 'wasm' });
    expect(run.images).toEqual([
      { slot: 'a', sha256: createHash('sha256').update(imageA).digest('hex'), name: 'a.png', format: 'PNG', bytes: imageA.length, width: 70, height: 84, exifRotated: false },
    ]);
    expect((run.stats as { tokensGenerated: number }).tokensGenerated).toBeGreaterThan(0);
    // DepictQA's confidence travels with the run; the rest stays small, with no room for the image's bytes.
    expect(run.confidenceReport).toMatchObject({ kind: expect.stringMatching(/^(single-brief|detail)$/) });
    const { confidenceReport: _report, comparison: _comparison, ...rest } = run;
    expect(JSON.stringify({ ...exported, runs: [rest] }, null, 2).length).toBeLessThan(imageA.length + 4000);

    // Markdown: what a person reads.
    const markdown = await downloaded(page, () => items.first().getByRole('button', { name: /as Markdown$/ }).click());
    expect(markdown.name).toMatch(/\.md$/);
    expect(markdown.text).toMatch(/^# DepictQA Web history\n\nExported .* · 1 run\n\n## Description · /);
    expect(markdown.text).toContain('- **Status:** done');
    expect(markdown.text).toMatch(/- \*\*Model:\*\* .+ \(q4, CPU \(wasm\)\)/);
    expect(markdown.text).toContain('  - Image A: a.png (PNG, 70×84');
    expect(markdown.text).toContain(`- **Settings:** max new tokens ${ANSWER_TOKENS}; greedy`);
    expect(markdown.text).toMatch(/- \*\*Stats:\*\* \d+ tokens · /);
    expect(markdown.text).toContain(`> ${firstLine}`);

    const all = await downloaded(page, () => page.getByRole('button', { name: 'Export all runs as JSON' }).click());
    expect(all.name).toMatch(/^depictqa-history-.*\.json$/);
    expect((JSON.parse(all.text) as { runs: unknown[] }).runs).toHaveLength(1);

    // Delete: gone from the list, and still gone after a reload.
    await items.first().getByRole('button', { name: /^Delete the Description run/ }).click();
    await expect(items).toHaveCount(0);
    await expect(page.getByTestId('history-empty')).toBeVisible();
    await page.reload();
    await expect(page.getByTestId('history-empty')).toContainText('Each run is saved here', { timeout: LOAD_TIMEOUT });
    await expect(items).toHaveCount(0);
  });

  test('a reload mid-answer leaves a stopped, interrupted run with the partial text; delete all asks first', async ({ page }, testInfo) => {
    const { bundle, imageA } = flow();
    await startDescription(page, { bundle, imageA }, LONG_ANSWER_TOKENS);
    const items = page.getByTestId('history-item');
    // The partial answer is saved about once a second while it streams.
    await expect(items.first()).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
    await expect(items.first().getByTestId('history-line')).not.toHaveText('No answer', { timeout: 10_000 });
    await expect(items.first().getByTestId('history-line')).not.toHaveText('');
    await page.getByTestId('history-panel').screenshot({ path: testInfo.outputPath('history-running.png') });
    const onScreen = (await page.getByTestId('answer-text').textContent()) ?? '';
    expect(await page.getByTestId('answer-status').getAttribute('data-status')).toBe('running');

    await page.reload();
    await expect(items).toHaveCount(1, { timeout: LOAD_TIMEOUT });
    await expect(items.first()).toHaveAttribute('data-status', 'stopped');
    await expect(items.first().getByTestId('history-status')).toHaveText('Interrupted');
    await items.first().getByRole('button', { name: /^Open the Description run/ }).click();
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'stopped');
    const saved = (await page.getByTestId('answer-text').textContent()) ?? '';
    expect(saved.length).toBeGreaterThan(0);
    // Both are prefixes of the same greedy answer: the save may come from just before or just after the read.
    expect(saved.startsWith(onScreen) || onScreen.startsWith(saved)).toBe(true);
    expect(saved.length).toBeLessThan(LONG_ANSWER_TOKENS * 8);

    // A second run, so that "all" means more than one.
    await page.getByTestId('file-input-a').setInputFiles({ name: 'a.png', mimeType: 'image/png', buffer: imageA });
    await loadPageBundle(page, bundle);
    await setMaxNewTokens(page, 4);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(items).toHaveCount(2);
    await expect(items.first()).toHaveAttribute('data-status', 'done');

    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.getByTestId('history-panel').screenshot({ path: testInfo.outputPath(`history-two-${colorScheme}.png`) });
      const axe = await new AxeBuilder({ page }).include('[data-testid=history-panel]').withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']).analyze();
      expect(axe.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`), colorScheme).toEqual([]);
    }
    await page.setViewportSize({ width: 360, height: 800 });
    await page.getByTestId('history-panel').screenshot({ path: testInfo.outputPath('history-360-dark.png') });
    await page.screenshot({ path: testInfo.outputPath('page-360-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    // Delete all asks first; Cancel keeps everything.
    await page.getByRole('button', { name: 'Delete all' }).click();
    const dialog = page.getByRole('alertdialog');
    await expect(dialog).toContainText('Delete all 2 runs');
    await page.getByTestId('history-panel').screenshot({ path: testInfo.outputPath('history-confirm-360.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(items).toHaveCount(2);
    await page.getByRole('button', { name: 'Delete all' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Yes, delete all' }).click();
    await expect(items).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId('history-empty')).toContainText('Each run is saved here', { timeout: LOAD_TIMEOUT });
  });

  test('a history written by the previous version, in its own database, opens after the update with its image', async ({ page }) => {
    const png = await patternPng();
    const sha256 = createHash('sha256').update(png).digest('hex');
    const begun = beginRecord({
      id: 'before-update',
      task: 'description',
      images: [{ slot: 'a', sha256, name: 'old.png', format: 'PNG', bytes: png.length, width: 70, height: 84, exifRotated: false }],
      settings: { maxNewTokens: 24, sampling: null, loopGuard: false },
      model: { name: 'tiny', variant: 'q4', backend: 'wasm' },
      startedAt: 1_700_000_000_000,
    });
    const record = updateRecord(begun, { status: 'done', text: 'Saved before the update.', question: 'Q?', summary: null, error: null }, 1_700_000_001_000);
    // A page of the same origin that does not start the app: the old database is written before the app first opens its own.
    await page.goto('/favicon.svg');
    await page.evaluate(
      async ({ record, bytes }) => {
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const request = indexedDB.open('depictqa-history', 1);
          request.onupgradeneeded = () => {
            request.result.createObjectStore('runs', { keyPath: 'id' }).createIndex('startedAt', 'startedAt');
            request.result.createObjectStore('images', { keyPath: 'sha256' });
          };
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        const tx = db.transaction(['runs', 'images'], 'readwrite');
        tx.objectStore('runs').put(record);
        tx.objectStore('images').put({ sha256: record.images[0]!.sha256, blob: new Blob([new Uint8Array(bytes)], { type: 'image/png' }), thumbnail: null });
        await new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = () => reject(tx.error))));
        db.close();
      },
      { record, bytes: [...png] },
    );

    await page.goto('/');
    const items = page.getByTestId('history-item');
    await expect(items).toHaveCount(1, { timeout: LOAD_TIMEOUT });
    await expect(items.first().getByTestId('history-line')).toHaveText('Saved before the update.');
    await items.first().getByRole('button', { name: /^Open the Description run/ }).click();
    await expect(page.getByTestId('slot-a')).toHaveAttribute('data-filled', 'true');
    await expect(page.getByTestId('slot-caption-a')).toContainText('70×84');
    // The old database is gone once copied.
    await expect.poll(() => page.evaluate(async () => (await indexedDB.databases()).map((database) => database.name).sort())).toEqual(['depictqa']);
  });
});

import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import type { CompareSummary } from '../cli/compare/compareReport.ts';
import { expect, test } from './fixtures.ts';
import { holdSavedRunLock } from './testing/runLocks.ts';
import { loadPageBundle, pageFlowBundle, patternPng, type PageBundle } from './testing/pageBundle.ts';

const METHODS = ['alpha', 'beta', 'gamma'];
const IDS = ['1', '2', '3', '4'];

interface Prepared {
  /** The folder of folders a user drops: ref/ and one folder per method. */
  set: string;
  /** `npm run compare --all-pairs` of the outputs that take part, in Node. */
  expected: CompareSummary;
}

/**
 * 3 methods × 4 ids of pattern images, with what a real set has: gamma lacks id 4, beta's id 2 has another size
 * than its reference, alpha holds a text file. The CLI compares what remains, as the page should.
 */
async function prepare(bundle: PageBundle): Promise<Prepared> {
  const set = join(bundle.root, 'set');
  for (const folder of ['ref', ...METHODS]) await mkdir(join(set, folder), { recursive: true });
  for (const [k, id] of IDS.entries()) {
    await writeFile(join(set, 'ref', `${id}.png`), await patternPng(10 * k));
    for (const [m, method] of METHODS.entries()) {
      if (method === 'gamma' && id === '4') continue;
      await writeFile(join(set, method, `${id}.png`), method === 'beta' && id === '2' ? await patternPng(10 * k + 1 + m, 56, 84) : await patternPng(10 * k + 1 + m));
    }
  }
  await writeFile(join(set, 'alpha', 'notes.txt'), 'not an image');
  const out = join(bundle.root, 'compare-out');
  const args = ['tsx', 'cli/compare.ts', '--bundle', bundle.bundleDir, '--device', 'cpu', '--variant', 'q4', '--ref', join(set, 'ref'), ...METHODS.flatMap((m) => ['--method', `${m}=${join(set, m)}`])];
  await promisify(execFile)('npx', [...args, '--out', out, '--all-pairs', '--json'], { cwd: resolve(import.meta.dirname, '..') });
  return { set, expected: JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as CompareSummary };
}

async function openMethods(page: Page, bundle: PageBundle, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await loadPageBundle(page, bundle);
  await page.getByRole('radio', { name: /^Methods/ }).check();
}

test.describe('Methods mode', () => {
  // A model load, 4 ids' metrics and up to 18 comparisons on the CPU, on two shared cores.
  const flow = pageFlowBundle({ project: 'wasm', prepare, setupTimeoutMs: 300_000, testTimeoutMs: 300_000 });

  test('a folder of folders: the match table, the comparison, the result npm run compare gives, an Explain that streams, the LaTeX export', async ({ page }) => {
    const { bundle, set, expected } = flow();
    await openMethods(page, bundle);
    await page.getByTestId('methods-folder-input').setInputFiles(set);
    const match = page.getByTestId('methods-match');
    await expect(match).toContainText('3 methods on 4 images, references from ref/; 1 missing, 2 skipped.');
    await expect(page.getByTestId('methods-match-row')).toHaveCount(5);
    await expect(match.locator('td[data-state="missing"]')).toHaveCount(1);
    await expect(page.getByTestId('methods-skipped')).toContainText('beta/2: beta/2.png is 56×84, its reference 70×84');
    await expect(page.getByTestId('methods-skipped')).toContainText('alpha/notes: no reference image is named notes');

    await page.getByRole('radio', { name: /^All pairs/ }).check();
    await page.getByRole('button', { name: 'Compare methods' }).click();
    await expect(page.getByTestId('methods-results')).toBeVisible({ timeout: 240_000 });
    const rows = await page.getByTestId('methods-row').evaluateAll((elements) => elements.map((row) => ({ name: row.getAttribute('data-method'), score: Number(row.getAttribute('data-score')) })));
    // The same comparisons as the CLI's, so the same order and scores (the KV cache is reused in another order, so
    // the letters' probabilities may differ in the last digits).
    expect(rows.map((row) => row.name)).toEqual(expected.methods.map((m) => m.name));
    rows.forEach((row, k) => expect(row.score).toBeCloseTo(expected.methods[k]!.score, 3));
    await expect(page.getByTestId('methods-results')).toContainText(`${expected.stats.comparisons} comparisons of ${expected.stats.pairs} pairs on 4 images`);
    await expect(page.getByTestId('methods-heat-cell')).toHaveCount(6);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'LaTeX' }).click();
    const tex = await readFile((await (await download).path())!, 'utf8');
    expect(tex).toMatch(/\\begin\{tabular\}[\s\S]*\\toprule[\s\S]*\\bottomrule/);
    for (const method of METHODS) expect(tex).toContain(`${method} & $`);

    // A win-rate cell opens one image's two outputs beside the reference; Explain streams DepictQA's reasons.
    await page.getByTestId('methods-heat-cell').first().click();
    const pair = page.getByTestId('methods-pair');
    await expect(pair.getByRole('img')).toHaveCount(3);
    await pair.getByRole('button', { name: 'Explain' }).click();
    const explanation = page.getByTestId('methods-explanation');
    await expect(explanation.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
    await expect(explanation.getByTestId('answer-text')).not.toBeEmpty();
    await page.screenshot({ path: test.info().outputPath('methods.png'), fullPage: true });

    // History holds the comparison; after a reload, Open shows its result again in the Methods mode.
    const item = page.getByTestId('history-item').filter({ hasText: 'Methods' });
    await expect(item).toHaveCount(1);
    await expect(item.getByTestId('history-line')).toContainText(`3 methods on 4 images: ${expected.methods[0]!.name} best`);
    await page.reload();
    await page.getByTestId('history-item').filter({ hasText: 'Methods' }).getByRole('button', { name: /^Open the Methods run/ }).click();
    await expect(page.getByRole('radio', { name: /^Methods/ })).toBeChecked();
    const reopened = await page.getByTestId('methods-row').evaluateAll((elements) => elements.map((row) => row.getAttribute('data-method')));
    expect(reopened).toEqual(expected.methods.map((m) => m.name));
  });

  test('folders picked one by one are matched together; the same folder again replaces itself', async ({ page }) => {
    const { bundle, set } = flow();
    await openMethods(page, bundle);
    const add = page.getByTestId('methods-add-folder-input');
    await add.setInputFiles(join(set, 'alpha'));
    await expect(page.getByTestId('methods-error')).toContainText('Comparing methods takes 2 to 16 of them; got 1 (alpha).');
    await add.setInputFiles(join(set, 'ref'));
    await add.setInputFiles(join(set, 'gamma'));
    await expect(page.getByTestId('methods-match')).toContainText('2 methods on 4 images, references from ref/; 1 missing, 1 skipped.');
    await add.setInputFiles(join(set, 'gamma'));
    await expect(page.getByTestId('methods-match')).toContainText('2 methods on 4 images, references from ref/; 1 missing, 1 skipped.');
    await expect(page.getByRole('button', { name: 'Compare methods' })).toBeEnabled();
  });

  test('a reload mid-run resumes from the saved comparisons, with the images from the browser’s database', async ({ page }) => {
    const { bundle, set, expected } = flow();
    await openMethods(page, bundle, '?e2e');
    await page.getByTestId('methods-folder-input').setInputFiles(set);
    await expect(page.getByTestId('methods-match-row')).toHaveCount(5);
    await page.getByRole('radio', { name: /^All pairs/ }).check();
    // The engine's worker ends at the seventh comparison (on the second image), as a crash or a closed tab would.
    await page.evaluate(() => (window as unknown as { depictqaE2E: { endEngineWorkerAt(moment: string, count: number): void } }).depictqaE2E.endEngineWorkerAt('rank-comparison', 7));
    await page.getByRole('button', { name: 'Compare methods' }).click();
    await expect(page.getByTestId('methods-error')).toBeVisible({ timeout: 120_000 });

    await page.reload();
    await loadPageBundle(page, bundle);
    await page.getByRole('radio', { name: /^Methods/ }).check();
    const resume = page.getByTestId('methods-resume');
    await expect(resume).toContainText('An unfinished comparison of 3 methods on 4 images is saved');
    const saved = Number((await resume.textContent())!.match(/with (\d+) comparisons made/)![1]);
    expect(saved).toBeGreaterThanOrEqual(1);
    expect(saved).toBeLessThan(expected.stats.comparisons);
    await resume.getByRole('button', { name: 'Resume' }).click();
    await expect(page.getByTestId('methods-results')).toBeVisible({ timeout: 240_000 });
    await expect(page.getByTestId('methods-results')).toContainText(`${expected.stats.comparisons} comparisons of ${expected.stats.pairs} pairs`);
    const names = await page.getByTestId('methods-row').evaluateAll((elements) => elements.map((row) => row.getAttribute('data-method')));
    expect(names).toEqual(expected.methods.map((m) => m.name));
  });

  test('a saved comparison open in another tab is not resumed here: this tab says so, and resumes once the other lets go', async ({ page }) => {
    const { bundle, set } = flow();
    await openMethods(page, bundle, '?e2e');
    await page.getByTestId('methods-folder-input').setInputFiles(set);
    await expect(page.getByTestId('methods-match-row')).toHaveCount(5);
    await page.evaluate(() => (window as unknown as { depictqaE2E: { endEngineWorkerAt(moment: string, count: number): void } }).depictqaE2E.endEngineWorkerAt('rank-comparison', 3));
    await page.getByRole('button', { name: 'Compare methods' }).click();
    await expect(page.getByTestId('methods-error')).toBeVisible({ timeout: 120_000 });

    // Another tab of the same browser holds the saved comparison's lock, as a tab that is running it does.
    const other = await holdSavedRunLock(page, 'methodRuns', 'depictqa-methods:');

    // This tab in front again: Chromium throttles a background tab's timers.
    await page.bringToFront();
    await page.reload();
    await loadPageBundle(page, bundle);
    await page.getByRole('radio', { name: /^Methods/ }).check();
    await page.getByTestId('methods-resume').getByRole('button', { name: 'Resume' }).click();
    await expect(page.getByTestId('methods-error')).toContainText('This run is open in another tab of this browser, which is writing it.');

    await other.letGo();
    await page.getByRole('button', { name: 'Compare methods' }).click();
    await expect(page.getByTestId('methods-results')).toBeVisible({ timeout: 240_000 });
  });

  test('Stop shows the result of the comparisons made so far, with progress and the time left while it runs', async ({ page }) => {
    const { bundle } = flow();
    // 12 images × 3 methods without references, all pairs: 72 comparisons, so that Stop lands in the middle.
    const set = join(bundle.root, 'stop-set');
    for (const [m, method] of METHODS.entries()) {
      await mkdir(join(set, method), { recursive: true });
      for (let id = 0; id < 12; id++) await writeFile(join(set, method, `${id}.png`), await patternPng(40 + 3 * id + m));
    }
    await openMethods(page, bundle);
    await page.getByTestId('methods-folder-input').setInputFiles(set);
    await expect(page.getByTestId('methods-match')).toContainText('3 methods on 12 images, no references; 0 missing, 0 skipped.');
    await page.getByRole('radio', { name: /^All pairs/ }).check();
    await page.getByRole('button', { name: 'Compare methods' }).click();
    const progress = page.getByTestId('methods-progress');
    await expect.poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
    await expect(progress).toHaveAttribute('data-planned', '72');
    await expect(progress).toContainText('left at most');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const results = page.getByTestId('methods-results');
    await expect(results).toHaveAttribute('data-stopped', 'true', { timeout: 60_000 });
    await expect(results).toContainText('Result so far (stopped)');
    const made = Number((await results.textContent())!.match(/(\d+) comparisons of/)![1]);
    expect(made).toBeGreaterThanOrEqual(2);
    expect(made).toBeLessThan(72);
    await expect(page.getByTestId('methods-row')).toHaveCount(3);
    await expect(page.getByTestId('methods-disagreements')).toContainText('MS-SSIM —');
  });
});

import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { AGREEMENT_METRICS, metricAgreement, mosAgreement } from '../src/core/ranking/agreement.ts';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { holdSavedRunLock } from './testing/runLocks.ts';
import { loadPageBundle, pageFlowBundle, patternPng, rankJson, writeImage, type PageBundle, type RankJsonRecord } from './testing/pageBundle.ts';

const CANDIDATES = 8;

interface Prepared {
  /** The folder of the eight candidates, as a user would choose or drop it. */
  folder: string;
  reference: string;
  candidates: string[];
  expected: RankJsonRecord;
  /** `npm run metrics` of each candidate against the reference, in candidate order. */
  metrics: Array<{ psnrRgb: number | string | null; ssim: number | null; msSsim: number | null; gmsd: number | null }>;
}

/** Eight pattern images in a folder and a reference beside it, and the engine's active ranking of them in Node. */
async function prepare(bundle: PageBundle): Promise<Prepared> {
  const folder = join(bundle.root, 'candidates');
  await mkdir(folder);
  const candidates: string[] = [];
  for (let k = 1; k <= CANDIDATES; k++) {
    const path = join(folder, `c${k}.png`);
    await writeImage(bundle, join('candidates', `c${k}.png`), await patternPng(k));
    candidates.push(path);
  }
  const reference = await writeImage(bundle, 'reference.png', await patternPng(0));
  // The page reads a folder's images in name order: c1 … c8, as given here.
  const { stdout } = await promisify(execFile)('npx', ['tsx', 'cli/metrics.ts', reference, ...candidates], { cwd: resolve(import.meta.dirname, '..') });
  const metrics = stdout.trim().split('\n').map((line) => JSON.parse(line) as Prepared['metrics'][number]);
  return { folder, reference, candidates, metrics, expected: await rankJson(bundle, { reference, candidates }) };
}

async function openRankMode(page: Page, bundle: PageBundle, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await loadPageBundle(page, bundle);
  await page.getByRole('radio', { name: /^Rank/ }).check();
}

/** The page's table as (candidate index, score) rows, best first. */
async function tableRows(page: Page): Promise<{ index: number; score: number }[]> {
  const rows = page.getByTestId('rank-row');
  await expect(rows).toHaveCount(CANDIDATES);
  return rows.evaluateAll((elements) => elements.map((row) => ({ index: Number(row.getAttribute('data-index')), score: Number(row.getAttribute('data-score')) })));
}

function expectSameRanking(rows: { index: number; score: number }[], expected: RankJsonRecord, digits: number): void {
  expect(rows.map((row) => row.index)).toEqual(expected.ranking.map((entry) => entry.index));
  for (const [k, row] of rows.entries()) expect(row.score).toBeCloseTo(expected.ranking[k]!.score, digits);
}

test.describe('Rank mode', () => {
  // A model load and 2·⌈8·log2 8⌉ comparisons at most on the CPU, on two shared cores.
  const flow = pageFlowBundle({ project: 'wasm', prepare, setupTimeoutMs: 300_000, testTimeoutMs: 300_000 });

  test('a folder of eight candidates is ranked as npm run rank ranks it, and exports as CSV and JSON', async ({ page }, testInfo) => {
    const { bundle, folder, reference, expected } = flow();
    await openRankMode(page, bundle);
    await page.getByTestId('rank-reference-input').setInputFiles(reference);
    await page.getByTestId('rank-folder-input').setInputFiles(folder);
    await expect(page.getByTestId('rank-candidate')).toHaveCount(CANDIDATES);
    // The same file again is refused, by its hash, whatever its name.
    await page.getByTestId('rank-files-input').setInputFiles({ name: 'again.png', mimeType: 'image/png', buffer: await readFile(join(folder, 'c3.png')) });
    await expect(page.getByTestId('rank-notices')).toContainText('Already among the candidates (same SHA-256), not added: again.png (same file as c3.png)');
    await expect(page.getByTestId('rank-candidate')).toHaveCount(CANDIDATES);

    await page.getByRole('button', { name: 'Rank', exact: true }).click();
    await expect(page.getByTestId('rank-results')).toBeVisible({ timeout: 240_000 });
    expectSameRanking(await tableRows(page), expected, 6);
    await expect(page.getByTestId('rank-plot-row')).toHaveCount(CANDIDATES);
    await expect(page.getByTestId('rank-stat-comparisons')).toContainText(`${expected.stats.comparisons} new`);
    await expect(page.getByTestId('rank-bias')).toContainText(`${(expected.positionBias * 100).toFixed(1)}%`);

    // Agreement with the classic metrics, which the metrics worker computes as `npm run metrics` does.
    const scores = new Array<number>(CANDIDATES);
    for (const entry of expected.ranking) scores[entry.index] = entry.score;
    const values = flow().metrics.map((m) => ({ psnr: typeof m.psnrRgb === 'number' ? m.psnrRgb : null, ssim: m.ssim, msSsim: m.msSsim, gmsd: m.gmsd }));
    const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
    for (const row of metricAgreement(scores, values)) {
      const label = AGREEMENT_METRICS.find((m) => m.id === row.metric)!.label;
      await expect(page.getByTestId(`agreement-${row.metric}`)).toHaveText(`${label}${fixed(row.srcc)}${fixed(row.krcc)}${row.n}`, { timeout: 60_000 });
    }
    // A MOS file for the candidates (with a header, a folder in the names and a row of another file): SRCC and
    // PLCC after DepictQA's logistic fit.
    const mos = [4.1, 2.2, 3.3, 1.4, 4.4, 2.8, 3.9, 1.1];
    const csv = ['filename,mos', ...mos.map((value, k) => `set/c${k + 1}.png,${value}`), 'other.png,5'].join('\n');
    await page.getByTestId('rank-mos-input').setInputFiles({ name: 'mos.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const fit = mosAgreement(scores, mos);
    await expect(page.getByTestId('rank-mos-result')).toContainText(`Against the MOS of mos.csv (8 images; 1 rows of other files ignored): SRCC ${fixed(fit.srcc)}, PLCC ${fixed(fit.plcc)}`);
    await page.screenshot({ path: testInfo.outputPath('rank-mode.png'), fullPage: true });

    // The finished ranking is in History; opening it from the task view shows it again without ranking anew.
    const saved = page.getByTestId('history-item');
    await expect(saved).toHaveCount(1);
    await expect(saved).toContainText('Rank');
    const [best, worst] = [expected.ranking[0]!, expected.ranking.at(-1)!].map((entry) => basename(entry.image));
    await expect(saved.getByTestId('history-line')).toHaveText(`${CANDIDATES} images ranked: ${best} best, ${worst} worst${expected.settled ? '' : ' (some not told apart)'}.`);
    await page.getByRole('radio', { name: /^Description/ }).check();
    await expect(page.getByTestId('rank-panel')).toHaveCount(0);
    await saved.getByRole('button', { name: /^Open the Rank run/ }).click();
    expectSameRanking(await tableRows(page), expected, 6);

    // The JSON export is `npm run rank --json`'s record, with file names for paths.
    const json = page.waitForEvent('download');
    await page.getByRole('button', { name: 'JSON', exact: true }).click();
    const record = JSON.parse(await readFile((await (await json).path())!, 'utf8')) as RankJsonRecord;
    expect(record.ranking.map((entry) => entry.image)).toEqual(expected.ranking.map((entry) => basename(entry.image)));
    expect(record.ranking.map((entry) => entry.score)).toEqual(expected.ranking.map((entry) => expect.closeTo(entry.score, 6) as unknown as number));
    expect(record.comparisons).toHaveLength(expected.comparisons.length);
    expect(record.positionBias).toBeCloseTo(expected.positionBias, 6);
    expect(record.stats).toMatchObject({ pairs: expected.stats.pairs, comparisons: expected.stats.comparisons, modelRuns: expected.stats.modelRuns });

    const csvDownload = page.waitForEvent('download');
    await page.getByRole('button', { name: 'CSV', exact: true }).click();
    const lines = (await readFile((await (await csvDownload).path())!, 'utf8')).trimEnd().split('\r\n');
    expect(lines[0]).toBe('rank,image,score,low95,high95,voting_score,wins,losses,tied');
    expect(lines.slice(1).map((line) => line.split(',')[1])).toEqual(expected.ranking.map((entry) => basename(entry.image)));
    expect(lines.slice(1).map((line) => Number(line.split(',')[2]))).toEqual(expected.ranking.map((entry) => expect.closeTo(entry.score, 6) as unknown as number));
  });

  test('a reload mid-ranking resumes from the saved comparisons and asks only the rest', async ({ page }) => {
    const { bundle, folder, reference, expected } = flow();
    await openRankMode(page, bundle, '?e2e');
    await page.getByTestId('rank-reference-input').setInputFiles(reference);
    await page.getByTestId('rank-folder-input').setInputFiles(folder);
    await expect(page.getByTestId('rank-candidate')).toHaveCount(CANDIDATES);
    // The engine's worker ends at the fifth comparison, as a crash or a closed tab would end it.
    await page.evaluate(() => (window as unknown as { depictqaE2E: { endEngineWorkerAt(moment: string, count: number): void } }).depictqaE2E.endEngineWorkerAt('rank-comparison', 5));
    await page.getByRole('button', { name: 'Rank', exact: true }).click();
    await expect(page.getByTestId('rank-error')).toBeVisible({ timeout: 120_000 });

    await page.reload();
    await loadPageBundle(page, bundle);
    await page.getByRole('radio', { name: /^Rank/ }).check();
    const resume = page.getByTestId('rank-resume');
    await expect(resume).toContainText(`An unfinished ranking of ${CANDIDATES} images with a reference is saved`);
    const saved = Number((await resume.textContent())!.match(/with (\d+) comparisons made/)![1]);
    // Events the worker sent before it ended may still arrive and be saved: about five, fewer than the whole.
    expect(saved).toBeGreaterThanOrEqual(1);
    expect(saved).toBeLessThan(expected.stats.comparisons);
    // The images come back from the browser's database: nothing is chosen again.
    await resume.getByRole('button', { name: 'Resume' }).click();
    await expect(page.getByTestId('rank-results')).toBeVisible({ timeout: 240_000 });
    await expect(page.getByTestId('rank-candidate')).toHaveCount(CANDIDATES);
    await expect(page.getByTestId('rank-stat-comparisons')).toHaveText(`Comparisons:${expected.stats.comparisons - saved} new + ${saved} resumed`);
    // The first comparison after the reload prefills from scratch, so its letters may differ in the last digits.
    expectSameRanking(await tableRows(page), expected, 3);
  });

  test('a saved ranking open in another tab is not resumed here: this tab says so, and resumes once the other lets go', async ({ page }) => {
    const { bundle, folder, reference } = flow();
    await openRankMode(page, bundle, '?e2e');
    await page.getByTestId('rank-reference-input').setInputFiles(reference);
    await page.getByTestId('rank-folder-input').setInputFiles(folder);
    await expect(page.getByTestId('rank-candidate')).toHaveCount(CANDIDATES);
    await page.evaluate(() => (window as unknown as { depictqaE2E: { endEngineWorkerAt(moment: string, count: number): void } }).depictqaE2E.endEngineWorkerAt('rank-comparison', 3));
    await page.getByRole('button', { name: 'Rank', exact: true }).click();
    await expect(page.getByTestId('rank-error')).toBeVisible({ timeout: 120_000 });

    // Another tab of the same browser holds the saved ranking's lock, as a tab that is ranking it does.
    const other = await holdSavedRunLock(page, 'rankings', 'depictqa-rank:');

    // This tab in front again: Chromium throttles a background tab's timers.
    await page.bringToFront();
    await page.reload();
    await loadPageBundle(page, bundle);
    await page.getByRole('radio', { name: /^Rank/ }).check();
    const resume = page.getByTestId('rank-resume');
    await resume.getByRole('button', { name: 'Resume' }).click();
    await expect(page.getByTestId('rank-error')).toContainText('This run is open in another tab of this browser, which is writing it.');
    await expect(page.getByTestId('rank-error')).toContainText('Switch to that tab, or stop it or close it, then resume here.');

    await other.letGo();
    await page.getByTestId('rank-resume').getByRole('button', { name: 'Resume' }).click();
    await expect(page.getByTestId('rank-results')).toBeVisible({ timeout: 240_000 });
    await expect(page.getByTestId('rank-stat-comparisons')).toContainText('resumed');
  });

  test('Stop keeps the ranking of the pairs compared so far; Explain answers Reasoning on two neighbours', async ({ page }) => {
    const { bundle, folder, reference, candidates } = flow();
    await openRankMode(page, bundle);
    await page.getByTestId('rank-reference-input').setInputFiles(reference);
    await page.getByTestId('rank-folder-input').setInputFiles(folder);
    await expect(page.getByTestId('rank-candidate')).toHaveCount(CANDIDATES);
    // All pairs: 2 · 28 comparisons, so that Stop lands in the middle of the work.
    await page.getByRole('radio', { name: /^All pairs/ }).check();
    await page.getByRole('button', { name: 'Rank', exact: true }).click();
    const progress = page.getByTestId('rank-progress');
    await expect.poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(page.getByTestId('rank-results')).toBeVisible({ timeout: 60_000 });
    await expect(page.getByRole('button', { name: 'Rank', exact: true })).toBeEnabled();
    const made = Number((await page.getByTestId('rank-stat-comparisons').textContent())!.match(/(\d+) new/)![1]);
    expect(made).toBeGreaterThanOrEqual(2);
    expect(made).toBeLessThan(2 * 28);
    await expect(page.getByTestId('rank-row')).toHaveCount(CANDIDATES);

    // Explain the first two rows: a Reasoning answer on them streams into the answer panel and finishes.
    const rows = await page.getByTestId('rank-row').evaluateAll((elements) => elements.map((row) => Number(row.getAttribute('data-index'))));
    const names = candidates.map((path) => basename(path));
    await page.getByRole('button', { name: `Explain: ${names[rows[0]!]} against ${names[rows[1]!]}` }).click();
    const explanation = page.getByTestId('rank-explanation');
    await expect(explanation).toContainText(`Why ${names[rows[0]!]} (Image A) ranks above ${names[rows[1]!]} (Image B)`);
    await expect(explanation.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
    await expect(explanation.getByTestId('answer-text')).not.toBeEmpty();
  });

  test('ranks without a reference, and a bad MOS file is refused with the lines and names at fault', async ({ page }) => {
    const { bundle, candidates } = flow();
    await openRankMode(page, bundle);
    // Chosen with the file chooser this time, four at once.
    await page.getByTestId('rank-files-input').setInputFiles(candidates.slice(0, 4));
    await expect(page.getByTestId('rank-candidate')).toHaveCount(4);
    await page.getByRole('radio', { name: /^All pairs/ }).check();
    await page.getByRole('button', { name: 'Rank', exact: true }).click();
    await expect(page.getByTestId('rank-results')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('rank-row')).toHaveCount(4);
    await expect(page.getByTestId('rank-stats')).toContainText('Pairs asked:6 of budget 6 (all pairs 6)');
    await expect(page.getByTestId('rank-agreement')).toContainText('The classic metrics need a reference.');

    const upload = (text: string) => page.getByTestId('rank-mos-input').setInputFiles({ name: 'mos.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
    await upload('c1.png,4\nc2.png;3\nc3.png,high\nc4.png,2\n');
    await expect(page.getByTestId('rank-mos-error')).toContainText('mos.csv: The MOS file has rows that are not "filename,number": line 2 ("c2.png;3"), line 3 ("c3.png,high").');
    await upload('c1.png,4\nc2.png,3\nC3.png,1\n');
    await expect(page.getByTestId('rank-mos-error')).toContainText('The MOS file has no MOS for 2 of 4 candidates: c3.png, c4.png. Its rows name files that are not candidates: C3.png.');
    await expect(page.getByTestId('rank-mos-result')).toHaveCount(0);
  });
});

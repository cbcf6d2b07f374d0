import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { loadPageBundle, pageFlowBundle, patternPng, rankJson, writeImage, type PageBundle, type RankJsonRecord } from './testing/pageBundle.ts';

const CANDIDATES = 8;

interface Prepared {
  /** The folder of the eight candidates, as a user would choose or drop it. */
  folder: string;
  reference: string;
  expected: RankJsonRecord;
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
  return { folder, reference, expected: await rankJson(bundle, { reference, candidates }) };
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

    const csv = page.waitForEvent('download');
    await page.getByRole('button', { name: 'CSV', exact: true }).click();
    const lines = (await readFile((await (await csv).path())!, 'utf8')).trimEnd().split('\r\n');
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
});

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { expectNoViolations } from './testing/axe.ts';
import { chooseImage, loadPageBundle, pageFlowBundle, patternPng, pickQuestion, runToDone, setMaxNewTokens } from './testing/pageBundle.ts';

/** The controls Tab reaches, in order, each with its accessible name and whether a focus ring is drawn. */
async function tabThrough(page: Page, stops: number): Promise<{ name: string; ring: boolean }[]> {
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  const reached: { name: string; ring: boolean }[] = [];
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press('Tab');
    reached.push(
      await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (element === null || element === document.body) return { name: '(body)', ring: false };
        const style = getComputedStyle(element);
        // A ring is an outline or a box-shadow drawn by the focus-visible styles (or the browser's own outline).
        const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
        const labels = (element as HTMLInputElement).labels;
        const label = labels !== undefined && labels !== null && labels.length > 0 ? labels[0]!.textContent : null;
        const name = element.getAttribute('aria-label') ?? label ?? element.textContent ?? '';
        return { name: `${element.tagName.toLowerCase()}:${name.trim().slice(0, 48)}`, ring };
      }),
    );
  }
  return reached;
}

test.describe('accessibility', () => {
  // The page is the same on both backends: check it once, without WebGPU.
  const flow = pageFlowBundle({ project: 'wasm', testTimeoutMs: 300_000 });

  test('axe finds no violations in the Rank mode with candidates and a ranking, in light and dark', async ({ page }, testInfo) => {
    await page.goto('/');
    await loadPageBundle(page, flow().bundle);
    await page.getByRole('radio', { name: /^Rank/ }).check();
    await page.getByTestId('rank-reference-input').setInputFiles({ name: 'ref.png', mimeType: 'image/png', buffer: await patternPng(0) });
    const files = await Promise.all([1, 2, 3].map(async (k) => ({ name: `c${k}.png`, mimeType: 'image/png', buffer: await patternPng(k) })));
    await page.getByTestId('rank-files-input').setInputFiles(files);
    await expect(page.getByTestId('rank-candidate')).toHaveCount(3);
    await expectNoViolations(page, testInfo, 'rank-candidates');
    await page.getByRole('button', { name: 'Rank', exact: true }).click();
    await expect(page.getByTestId('rank-metric-agreement')).toBeVisible({ timeout: 120_000 });
    await expectNoViolations(page, testInfo, 'rank-results');
  });

  test('axe finds no violations in the Methods mode with a match table and a result, in light and dark', async ({ page }, testInfo) => {
    const set = join(flow().bundle.root, 'a11y-methods');
    for (const [k, folder] of ['ref', 'ours', 'theirs'].entries()) {
      await mkdir(join(set, folder), { recursive: true });
      for (const id of [1, 2]) await writeFile(join(set, folder, `${id}.png`), await patternPng(10 * id + k));
    }
    await page.goto('/');
    await loadPageBundle(page, flow().bundle);
    await page.getByRole('radio', { name: /^Methods/ }).check();
    await page.getByTestId('methods-folder-input').setInputFiles(set);
    await expect(page.getByTestId('methods-match-row')).toHaveCount(2);
    await expectNoViolations(page, testInfo, 'methods-match');
    await page.getByRole('button', { name: 'Compare methods' }).click();
    await expect(page.getByTestId('methods-results')).toBeVisible({ timeout: 120_000 });
    await expectNoViolations(page, testInfo, 'methods-results');
  });

  test('axe finds no violations when empty, with images and with an answer, in light and dark; Tab reaches every control with a focus ring', async ({ page }, testInfo) => {
    await page.goto('/');
    await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeVisible();
    await expectNoViolations(page, testInfo, 'empty');

    await loadPageBundle(page, flow().bundle);
    await chooseImage(page, 'a', 'a.png', await patternPng(0));
    await chooseImage(page, 'b', 'b.png', await patternPng(1));
    await page.getByRole('radio', { name: /^Comparison/ }).check();
    await setMaxNewTokens(page, 8);
    await expectNoViolations(page, testInfo, 'images');

    await pickQuestion(page, 0);
    await runToDone(page);
    await expectNoViolations(page, testInfo, 'answer');

    // Keyboard: from the top of the page, Tab reaches every control in reading order, each with a focus ring.
    await page.getByLabel('Sampling').check();
    const reached = await tabThrough(page, 70);
    const names = reached.map((stop) => stop.name);
    const order = [
      'Choose Reference',
      'Replace Image A',
      'Clear Image A',
      'Replace Image B',
      'input:Comparison',
      'Bundle URL',
      'select:',
      'summary:Generation settings',
      'input:Sampling',
      'input:Temperature',
      'input:Seed',
      'input:Max new tokens',
      'input:No-repeat n-gram size',
      'input:Stop an answer that repeats itself',
      'Reset to the faithful defaults',
      'button:Run',
      'button:Regenerate',
    ];
    let last = -1;
    for (const wanted of order) {
      const at = names.findIndex((name, index) => index > last && name.includes(wanted));
      expect(at, `"${wanted}" reached by Tab after stop ${last}: ${names.join(' | ')}`).toBeGreaterThan(last);
      last = at;
    }
    const withoutRing = [...new Set(reached.filter((stop) => stop.name !== '(body)' && !stop.ring).map((stop) => stop.name))];
    expect(withoutRing, 'controls focused without a visible ring').toEqual([]);

    // A phone's width: one column, nothing cut off or overlapping that axe can see.
    await page.setViewportSize({ width: 360, height: 800 });
    await expectNoViolations(page, testInfo, 'answer-360px');
  });
});

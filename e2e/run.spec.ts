import { askJson, buildTinyBundle, loadTinyBundle, patternPng, writeImage, type AskRecord, type TinyBundle } from './tinyBundle.ts';
import { expect, test } from './fixtures.ts';

/** Enough tokens to see the answer grow, few enough for two shared cores (the model runs on the CPU here). */
const ANSWER_TOKENS = 16;

let bundle: TinyBundle | undefined;
let imageA: Buffer;
/** The engine's greedy answer in Node for the same bundle, image and question: what the page must show. */
let expected: AskRecord;

test.describe('load a model and run a task', () => {
  test.beforeEach(({ browserName: _ }, testInfo) => {
    // The engine's backends have their own browser tests; the page flow is the same on both: run it once, without WebGPU.
    test.skip(testInfo.project.name !== 'wasm', 'covered by the wasm project');
  });

  test.beforeAll(async ({ browserName: _ }, testInfo) => {
    if (testInfo.project.name !== 'wasm') return;
    test.setTimeout(120_000);
    bundle = await buildTinyBundle();
    imageA = await patternPng();
    const a = await writeImage(bundle, 'a.png', imageA);
    expected = await askJson(bundle, { task: 'description', images: { a }, questionIndex: 0, maxNewTokens: ANSWER_TOKENS });
  });

  test.afterAll(async () => {
    await bundle?.remove();
  });

  test('a folder bundle answers Description with the engine greedy text, streamed with a caret, then done with its stats', async ({ page }, testInfo) => {
    await page.goto('/');
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await expect(run).toBeDisabled();
    await expect(page.getByTestId('run-hint')).toHaveText('Load a model first.');

    await loadTinyBundle(page, bundle!);
    await expect(page.getByTestId('run-hint')).toHaveText('This task needs Image A.');

    await page.getByTestId('file-input-a').setInputFiles({ name: 'a.png', mimeType: 'image/png', buffer: imageA });
    await expect(page.getByTestId('run-hint')).toHaveText('No-reference: no Reference image is given.');
    await page.getByLabel('Question').selectOption('0');
    await page.getByLabel('Max new tokens').fill(String(ANSWER_TOKENS));

    // Every streamed state of the text is recorded, to see that it grew in several steps.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenAnswers: string[] }).seenAnswers = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid=answer-text]')?.textContent ?? '';
        // A partial answer counts only while the caret is shown beside it.
        const caret = document.querySelector('[data-testid=answer-caret]') !== null;
        if (caret && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await run.click();
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: 20_000 });
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
    await expect(page.getByTestId('answer-caret')).toHaveCount(0);
    await expect(page.getByTestId('answer-stats')).toContainText(`${expected.stats.tokensGenerated} tokens ·`);
    const seen = await page.evaluate(() => (window as unknown as { seenAnswers: string[] }).seenAnswers);
    expect(seen.filter((text) => text.length > 0 && text.length < expected.answer.length).length).toBeGreaterThan(1);
    await page.screenshot({ path: testInfo.outputPath('answer-done.png'), fullPage: true });

    // Stop mid-answer: the default 400 tokens take far longer than the few it takes to see text and press Stop.
    await page.getByLabel('Max new tokens').fill('400');
    await run.click();
    await expect(page.getByTestId('answer-caret')).toBeVisible();
    await expect(page.getByTestId('answer-text')).not.toHaveText('');
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'stopped');
    await expect(page.getByText('[stopped]')).toBeVisible();
    expect(((await page.getByTestId('answer-text').textContent()) ?? '').length).toBeGreaterThan(0);
    await expect(run).toBeEnabled();
    await page.screenshot({ path: testInfo.outputPath('answer-stopped.png'), fullPage: true });
  });
});

import { tmpdir } from 'node:os';
import type { Page } from '@playwright/test';
import type { EndMoment } from '../src/client/e2eHooks.ts';
import { BundleServer } from './bundleHarness/bundleServer.ts';
import { expect, test } from './fixtures.ts';
import { checkBundleUrl, describedPattern, loadPageBundle, pageFlowBundle, runToDone, setMaxNewTokens, setUpDescription } from './testing/pageBundle.ts';

/**
 * The engine worker ended under the page (as the browser ends one that runs out of memory: no event, only its
 * end): the page says so, keeps the interrupted run in the history, and the next Run starts a new worker that
 * reopens the model from the download cache, fetching nothing, and gives the engine's greedy answer.
 */
const ANSWER_TOKENS = 16;
/** Far more than the first batch of tokens, at which the worker is ended. */
const LONG_ANSWER_TOKENS = 400;

test.describe('the engine worker ends under the page', () => {
  const flow = pageFlowBundle({
    project: 'wasm',
    prepare: async (bundle) => {
      const described = await describedPattern(bundle, ANSWER_TOKENS);
      // Served from a second origin, as from a model host, so the download is cached and every request is counted.
      const server = new BundleServer(tmpdir(), { tiny: bundle.bundleDir });
      await server.start();
      return { ...described, server };
    },
    release: ({ server }) => server.stop(),
    testTimeoutMs: 180_000,
  });

  test('mid-answer: the run fails with its partial text, the model panel says what happened, and the next Run reopens the model from the cache', async ({ page }, testInfo) => {
    const { imageA, expected, server } = flow();
    await page.goto('/?e2e');
    await loadFromUrl(page, server);
    await setUpDescription(page, imageA, LONG_ANSWER_TOKENS);

    await endEngineWorkerAt(page, 'first-tokens');
    server.reset();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'failed', { timeout: 60_000 });
    const answerError = page.getByTestId('answer-error');
    await expect(answerError).toHaveAttribute('data-code', 'ENGINE_WORKER_LOST');
    await expect(answerError).toContainText('The engine stopped: the browser ended its worker');
    await expect(answerError).toContainText('Run again: a new engine starts and reopens the model');
    const partial = (await page.getByTestId('answer-text').textContent()) ?? '';
    expect(partial.length).toBeGreaterThan(0);
    await expect(page.getByTestId('model-error')).toHaveAttribute('data-code', 'ENGINE_WORKER_LOST');
    await expect(page.getByTestId('model-lost')).toHaveText('delta reopens at the next run.');
    await page.screenshot({ path: testInfo.outputPath('worker-lost-mid-answer.png'), fullPage: true });

    // The history keeps the interrupted run, failed, with the text it had.
    const interrupted = page.getByTestId('history-item').first();
    await expect(interrupted).toHaveAttribute('data-status', 'failed');
    await expect(interrupted.getByTestId('history-line')).toHaveText(partial.split('\n').find((line) => line.trim() !== '')!.trim());

    // The next Run: a new worker, the model from the cache (nothing fetched), the engine's greedy answer.
    await setMaxNewTokens(page, ANSWER_TOKENS);
    await runToDone(page);
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
    await expect(page.getByTestId('model-ready')).toContainText('delta · q4 · CPU (wasm)');
    await expect(page.getByTestId('model-error')).toHaveCount(0);
    expect(server.requests).toEqual([]);
    await expect(page.getByTestId('history-item')).toHaveCount(2);
    await expect(page.getByTestId('history-item').first()).toHaveAttribute('data-status', 'done');
  });

  test('mid-load: the model panel says what happened, and the next Run opens the model being loaded from the cache', async ({ page }) => {
    const { imageA, expected, server } = flow();
    await page.goto('/?e2e');
    await loadFromUrl(page, server);

    // Open the cached copy again, and end the worker as it reads it.
    server.reset();
    await page.getByTestId('cached-bundle').getByRole('button', { name: 'Open delta' }).click();
    await endEngineWorkerAt(page, 'first-load-progress');
    await page.getByTestId('preflight').getByRole('button', { name: 'Load', exact: true }).click();
    const modelError = page.getByTestId('model-error');
    await expect(modelError).toHaveAttribute('data-code', 'ENGINE_WORKER_LOST', { timeout: 60_000 });
    await expect(modelError).toContainText('The engine stopped: the browser ended its worker');
    await expect(page.getByTestId('model-lost')).toContainText('reopens at the next run.');

    await setUpDescription(page, imageA, ANSWER_TOKENS);
    await runToDone(page);
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
    await expect(page.getByTestId('model-ready')).toContainText('delta · q4 · CPU (wasm)');
    expect(server.requests).toEqual([]);
  });

  test('a folder-picked model is read again from the files the page still holds', async ({ page }) => {
    const { bundle, imageA, expected } = flow();
    await page.goto('/?e2e');
    await loadPageBundle(page, bundle);
    await setUpDescription(page, imageA, LONG_ANSWER_TOKENS);
    await endEngineWorkerAt(page, 'first-tokens');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.getByTestId('answer-error')).toHaveAttribute('data-code', 'ENGINE_WORKER_LOST', { timeout: 60_000 });

    await setMaxNewTokens(page, ANSWER_TOKENS);
    await runToDone(page);
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
    await expect(page.getByTestId('model-ready')).toContainText('delta · q4 · CPU (wasm)');
    // Read in place, as at the first load: nothing went into the download cache.
    await expect(page.getByTestId('model-cache')).toContainText('Nothing is cached yet');
  });
});

/** Loads the tiny bundle from the server's URL (downloaded into the cache) and waits until it is ready. */
async function loadFromUrl(page: Page, server: BundleServer): Promise<void> {
  await checkBundleUrl(page, `${server.bundleOrigin}/tiny/`);
  await page.getByTestId('preflight').getByRole('button', { name: 'Load', exact: true }).click();
  await expect(page.getByTestId('model-ready')).toContainText('delta · q4 · CPU (wasm)', { timeout: 60_000 });
  await expect(page.getByTestId('cached-bundle')).toHaveCount(1);
}

/** Arms the page's test hook: the engine worker is terminated when the page sees that moment of it. */
async function endEngineWorkerAt(page: Page, moment: EndMoment): Promise<void> {
  await page.evaluate((at) => (window as unknown as { depictqaE2E: { endEngineWorkerAt(moment: string): void } }).depictqaE2E.endEngineWorkerAt(at), moment);
}

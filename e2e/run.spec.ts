import { chooseImage, describedPattern, loadPageBundle, pageFlowBundle, pickQuestion, setMaxNewTokens } from './testing/pageBundle.ts';
import { expect, test } from './fixtures.ts';

/** Enough tokens to see the answer grow, few enough for two shared cores (the model runs on the CPU here). */
const ANSWER_TOKENS = 16;

test.describe('load a model and run a task', () => {
  // The engine's answer in Node for the same bundle, image and question (`expected`): what the page must show.
  const flow = pageFlowBundle({ project: 'wasm', prepare: (bundle) => describedPattern(bundle, ANSWER_TOKENS) });

  test('Description through a file chooser: the engine greedy text streams in with a caret, done with its stats, the same again on Regenerate, then Stop', async ({ page, context }, testInfo) => {
    // Three answers on the CPU; two shared cores under load take minutes for what a quiet machine does in seconds.
    test.setTimeout(180_000);
    const { bundle, imageA, expected } = flow();
    await page.goto('/');
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await expect(run).toBeDisabled();
    await expect(page.getByTestId('run-hint')).toHaveText('Load a model first.');

    await loadPageBundle(page, bundle);
    await expect(page.getByTestId('run-hint')).toHaveText('This task needs Image A.');

    await chooseImage(page, 'a', 'a.png', imageA);
    await expect(page.getByTestId('run-hint')).toHaveText('No-reference: no Reference image is given.');
    await pickQuestion(page, 0);
    await setMaxNewTokens(page, ANSWER_TOKENS);

    // Settings are checked as typed: the message sits beside the field and Run waits for a valid value.
    await page.getByLabel('Sampling').check();
    const temperature = page.getByLabel('Temperature');
    await temperature.fill('0');
    await expect(temperature).toHaveAttribute('aria-invalid', 'true');
    await expect(temperature).toHaveAccessibleDescription('Temperature must be a number above 0 (for 0, choose greedy).');
    await expect(run).toBeDisabled();
    await expect(page.getByTestId('run-hint')).toContainText('Check the generation settings: Temperature must be a number above 0');
    await page.screenshot({ path: testInfo.outputPath('settings-invalid.png'), fullPage: true });
    await temperature.fill('0.7');
    await expect(run).toBeEnabled();
    await page.getByLabel('Greedy (faithful, repeatable)').check();
    await expect(page.getByTestId('settings-summary')).toHaveText(`greedy, up to ${ANSWER_TOKENS} tokens`);

    // Every streamed state of the text is recorded, to see that it grew in several steps, and the panel's height with it.
    await page.evaluate(() => {
      const seen: string[] = [];
      const heights: number[] = [];
      Object.assign(window, { seenAnswers: seen, answerHeights: heights });
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid=answer-text]')?.textContent ?? '';
        // A partial answer counts only while the caret is shown beside it.
        const caret = document.querySelector('[data-testid=answer-caret]') !== null;
        if (caret && seen.at(-1) !== text) {
          seen.push(text);
          heights.push(document.querySelector('section[aria-labelledby=answer-heading]')!.getBoundingClientRect().height);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await run.click();
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
    await expect(page.getByTestId('answer-question')).toHaveText(expected.question);
    // The tiny bundle is made of random weights, and the answer says so.
    await expect(page.getByTestId('answer-random-weights')).toContainText('weights are random');
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByTestId('answer-copy').click();
    await expect(page.getByTestId('answer-copy')).toHaveAttribute('data-state', 'copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected.answer);
    await expect(page.getByTestId('answer-mode')).toHaveText('No-reference · question 1 of the set · greedy');
    await expect(page.getByTestId('answer-caret')).toHaveCount(0);
    await expect(page.getByTestId('answer-stats')).toContainText(`${expected.stats.tokensGenerated} tokens ·`);
    const { seen, heights } = await page.evaluate(() => {
      const recorded = window as unknown as { seenAnswers: string[]; answerHeights: number[] };
      return { seen: recorded.seenAnswers, heights: recorded.answerHeights };
    });
    expect(seen.filter((text) => text.length > 0 && text.length < expected.answer.length).length).toBeGreaterThan(1);
    // No layout jump while the text streams: the answer's reserved height holds a short answer.
    expect(new Set(heights).size, `answer panel heights while streaming: ${heights.join(', ')}`).toBe(1);
    await page.screenshot({ path: testInfo.outputPath('answer-done.png'), fullPage: true });

    // Regenerate: the same task, image, question and greedy settings give the same text.
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await expect(page.getByTestId('answer-status')).not.toHaveAttribute('data-status', 'done');
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);

    // Stop mid-answer: 400 tokens take far longer than the few it takes to see text and press Stop.
    await setMaxNewTokens(page, 400);
    await run.click();
    await expect(page.getByTestId('answer-caret')).toBeVisible();
    await expect(page.getByTestId('answer-text')).not.toHaveText('');
    await page.screenshot({ path: testInfo.outputPath('answer-streaming.png'), fullPage: true });
    await page.getByRole('button', { name: 'Stop' }).click();
    await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'stopped');
    await expect(page.getByText('[stopped]')).toBeVisible();
    expect(((await page.getByTestId('answer-text').textContent()) ?? '').length).toBeGreaterThan(0);
    await expect(run).toBeEnabled();
    await page.screenshot({ path: testInfo.outputPath('answer-stopped.png'), fullPage: true });
  });
});

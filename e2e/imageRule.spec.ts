/**
 * A model's own image rule in the page: a tiny Abstractor model converted with its config.yaml (DQ495K_Abstractor's
 * 1024 / 2048) sees a 500×300 picture as it is, where DepictQA-Wild's 224 / 672 shrinks it. The slot says so once
 * the model is loaded, and the answer is the one the engine gives in Node for the same picture.
 */
import { expect, test } from './fixtures.ts';
import { askJson, chooseImage, loadPageBundle, pageFlowBundle, patternPng, pickQuestion, runToDone, setMaxNewTokens, writeImage } from './testing/pageBundle.ts';

const ANSWER_TOKENS = 6;

test.describe('the loaded model’s image rule', () => {
  const flow = pageFlowBundle({
    project: 'wasm',
    abstractor: true,
    prepare: async (bundle) => {
      const photo = await patternPng(3, 500, 300);
      const a = await writeImage(bundle, 'photo.png', photo);
      return {
        photo,
        expected: await askJson(bundle, { task: 'description', images: { a }, questionIndex: 0, maxNewTokens: ANSWER_TOKENS }),
        // No question named: the images' pick, in Node as in the page.
        unnamed: await askJson(bundle, { task: 'description', images: { a }, maxNewTokens: ANSWER_TOKENS }),
      };
    },
    setupTimeoutMs: 180_000,
    testTimeoutMs: 180_000,
  });

  test('the slot note follows the Abstractor’s 1024 / 2048 once it is loaded, and the answer is Node’s', async ({ page }, testInfo) => {
    const { bundle, photo, expected } = flow();
    await page.goto('/');
    await chooseImage(page, 'a', 'photo.png', photo);
    // Before any model: DepictQA-Wild's rule, the released models' own.
    const note = page.getByTestId('slot-model-view-a');
    await expect(note).toHaveText('shown to the model at 373×224, padded to 378×224');

    await loadPageBundle(page, bundle);
    await expect(note).toHaveText('shown to the model at 500×300 (as is), padded to 504×308');
    await page.screenshot({ path: testInfo.outputPath('abstractor-rule.png'), fullPage: true });

    await pickQuestion(page, 0);
    await setMaxNewTokens(page, ANSWER_TOKENS);
    await runToDone(page, 'Run', 120_000);
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
  });

  test('with no question picked, the page asks the question the images pick, as `npm run ask` does, and says which', async ({ page }) => {
    const { bundle, photo, unnamed } = flow();
    await page.goto('/');
    await loadPageBundle(page, bundle);
    await chooseImage(page, 'a', 'photo.png', photo);
    await expect(page.getByLabel('Question', { exact: true })).toHaveValue('images');
    await setMaxNewTokens(page, ANSWER_TOKENS);
    await runToDone(page, 'Run', 120_000);
    await expect(page.getByTestId('answer-text')).toHaveText(unnamed.answer);
    await expect(page.getByTestId('answer-mode')).toContainText(`question ${unnamed.questionIndex! + 1} of the set`);
    await expect(page.getByTestId('answer-question')).toHaveText(unnamed.question);
    // Again: the same question and, greedy, the same answer.
    await runToDone(page, 'Run', 120_000);
    await expect(page.getByTestId('answer-text')).toHaveText(unnamed.answer);
    await expect(page.getByTestId('answer-mode')).toContainText(`question ${unnamed.questionIndex! + 1} of the set`);
  });
});

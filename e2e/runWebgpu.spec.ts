import { chooseImage, describedPattern, loadPageBundle, pickQuestion, setMaxNewTokens, type AskRecord, type PageBundle } from './testing/pageBundle.ts';
import { expect, test } from './fixtures.ts';

/**
 * The page flow on WebGPU (SwiftShader here: every kernel on two CPU cores, so few tokens): the model loads on
 * the GPU backend and the streamed answer is the engine's greedy answer in Node, word for word. The other page
 * flows run in the wasm project; the engine's WebGPU paths have their own tests (engineIdentity, gpuFailure).
 */
const ANSWER_TOKENS = 6;

let bundle: PageBundle | undefined;
let imageA: Buffer;
let expected: AskRecord;

test.beforeEach(({ browserName: _ }, testInfo) => {
  test.skip(testInfo.project.name !== 'webgpu', 'the page flow on WebGPU');
});

test.beforeAll(async ({ browserName: _ }, testInfo) => {
  if (testInfo.project.name !== 'webgpu') return;
  test.setTimeout(120_000);
  ({ bundle, imageA, expected } = await describedPattern(ANSWER_TOKENS));
});

test.afterAll(async () => {
  await bundle?.remove();
});

test('Description on WebGPU: the page streams the engine greedy answer', async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  await page.goto('/');
  await loadPageBundle(page, bundle!, 'q4 · WebGPU');
  await chooseImage(page, 'a', 'a.png', imageA);
  await pickQuestion(page, 0);
  await setMaxNewTokens(page, ANSWER_TOKENS);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('answer-status')).toHaveAttribute('data-status', 'done', { timeout: 360_000 });
  await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
  await expect(page.getByTestId('answer-stats')).toContainText(`${expected.stats.tokensGenerated} tokens ·`);
  await page.screenshot({ path: testInfo.outputPath('webgpu-done.png'), fullPage: true });
});

import { describedPattern, loadPageBundle, pageFlowBundle, runToDone, setUpDescription } from './testing/pageBundle.ts';
import { expect, test } from './fixtures.ts';

/**
 * The page flow on WebGPU (SwiftShader here: every kernel on two CPU cores, so few tokens): the model loads on
 * the GPU backend and the streamed answer is the engine's greedy answer in Node, word for word. The other page
 * flows run in the wasm project; the engine's WebGPU paths have their own tests (engineIdentity, gpuFailure).
 */
const ANSWER_TOKENS = 6;

const flow = pageFlowBundle({ project: 'webgpu', prepare: (bundle) => describedPattern(bundle, ANSWER_TOKENS) });

test('Description on WebGPU: the page streams the engine greedy answer', async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  const { bundle, imageA, expected } = flow();
  await page.goto('/');
  await loadPageBundle(page, bundle, 'q4 · WebGPU');
  await setUpDescription(page, imageA, ANSWER_TOKENS);
  await runToDone(page, 'Run', 360_000);
  await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
  await expect(page.getByTestId('answer-stats')).toContainText(`${expected.stats.tokensGenerated} tokens ·`);
  await page.screenshot({ path: testInfo.outputPath('webgpu-done.png'), fullPage: true });
});

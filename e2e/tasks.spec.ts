import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import {
  askJson, chooseImage, dropImages, loadPageBundle, pageFlowBundle, patternPng, pickQuestion, runToDone, setMaxNewTokens, writeImage, type AskRecord,
  type PageBundle,
} from './testing/pageBundle.ts';

/** Short answers: the point is the page's flow and the equality with the engine in Node, not the text. */
const ANSWER_TOKENS = 12;
const OWN_QUESTION = 'Which image shows less noise, and why?';

interface Images {
  reference: Buffer;
  a: Buffer;
  b: Buffer;
}

/** The engine's greedy answers in Node (`npm run ask -- --json`) for the same images and questions. */
interface Expected {
  comparison: AskRecord;
  sampled: AskRecord;
  reasoning: AskRecord;
  distortion: AskRecord;
}

/** Three pattern images written beside the bundle, and the engine's answers for them. */
async function askAll(bundle: PageBundle): Promise<{ png: Images; expected: Expected }> {
  const [referencePng, aPng, bPng] = await Promise.all([patternPng(2), patternPng(0), patternPng(1, 84, 70)]);
  const reference = await writeImage(bundle, 'reference.png', referencePng);
  const a = await writeImage(bundle, 'a.png', aPng);
  const b = await writeImage(bundle, 'b.png', bPng);
  const ask = (options: Omit<Parameters<typeof askJson>[1], 'maxNewTokens'>) => askJson(bundle, { ...options, maxNewTokens: ANSWER_TOKENS });
  const [comparison, sampled, reasoning, distortion] = await Promise.all([
    ask({ task: 'comparison', images: { reference, a, b }, questionIndex: 1 }),
    ask({ task: 'comparison', images: { reference, a, b }, questionIndex: 1, extra: ['--temperature', '0.8', '--seed', '7'] }),
    ask({ task: 'reasoning', images: { a, b }, question: OWN_QUESTION }),
    ask({ task: 'distortion', images: { reference, a }, questionIndex: 0 }),
  ]);
  return { png: { reference: referencePng, a: aPng, b: bPng }, expected: { comparison, sampled, reasoning, distortion } };
}

async function selectTask(page: Page, label: string): Promise<void> {
  await page.getByRole('radio', { name: new RegExp(`^${label}`) }).check();
}

test.describe('every task answers with the engine greedy text', () => {
  // A model load and one or two answers on the CPU; two shared cores under load need far more than a quiet machine.
  const flow = pageFlowBundle({ project: 'wasm', prepare: askAll, setupTimeoutMs: 300_000, testTimeoutMs: 180_000 });

  test('Comparison, full-reference, slots filled through the file chooser', async ({ page }, testInfo) => {
    const { bundle, png, expected } = flow();
    await page.goto('/');
    await selectTask(page, 'Comparison');
    await loadPageBundle(page, bundle);
    // A task that lacks images names them.
    await expect(page.getByTestId('run-hint')).toHaveText('This task needs Image A and Image B.');
    await chooseImage(page, 'a', 'a.png', png.a);
    await expect(page.getByTestId('run-hint')).toHaveText('This task needs Image B.');
    await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeDisabled();
    await chooseImage(page, 'b', 'b.png', png.b);
    await expect(page.getByTestId('run-hint')).toHaveText('No-reference: no Reference image is given.');
    await chooseImage(page, 'reference', 'reference.png', png.reference);
    await expect(page.getByTestId('run-hint')).toHaveText('Full-reference: the model also sees the Reference.');

    await pickQuestion(page, 1);
    await setMaxNewTokens(page, ANSWER_TOKENS);
    await runToDone(page);
    const { comparison } = expected;
    expect(comparison.kind).toBe('full-reference');
    await expect(page.getByTestId('answer-text')).toHaveText(comparison.answer);
    await expect(page.getByTestId('answer-question')).toHaveText(comparison.question);
    await expect(page.getByTestId('answer-mode')).toHaveText('Full-reference (with the Reference) · question 2 of the set · greedy');
    await expect(page.getByTestId('answer-verdict')).toHaveCount(comparison.verdict === null ? 0 : 1);
    await page.screenshot({ path: testInfo.outputPath('comparison-full-reference.png'), fullPage: true });

    // Sampling with a typed seed gives the engine's seeded answer; Regenerate draws a new seed and says which.
    await page.getByLabel('Sampling').check();
    await page.getByLabel('Temperature').fill('0.8');
    await page.getByLabel('Seed').fill('7');
    await runToDone(page);
    await expect(page.getByTestId('answer-text')).toHaveText(expected.sampled.answer);
    await expect(page.getByTestId('answer-mode')).toHaveText('Full-reference (with the Reference) · question 2 of the set · sampled with seed 7');
    await runToDone(page, 'Regenerate');
    await expect(page.getByTestId('answer-mode')).toHaveText(/sampled with seed \d+$/);
    await expect(page.getByTestId('answer-mode')).not.toHaveText(/seed 7$/);
  });

  test('bad files dropped on a slot give an inline message and leave the other slots intact', async ({ page }) => {
    const { png } = flow();
    await page.goto('/');
    await chooseImage(page, 'b', 'b.png', png.b);
    const bad = [
      { name: 'notes.png', bytes: Buffer.from('just some text, not an image\n'), message: 'notes.png is not an image' },
      { name: 'empty.png', bytes: Buffer.alloc(0), message: 'empty.png: the file is empty' },
      { name: 'cut.png', bytes: png.a.subarray(0, 60), message: 'cut.png' },
    ];
    for (const file of bad) {
      await dropImages(page, '[data-testid=slot-a]', [{ name: file.name, bytes: file.bytes }]);
      await expect(page.getByTestId('slot-error-a')).toContainText(file.message, { timeout: 30_000 });
      await expect(page.getByTestId('slot-a')).toHaveAttribute('data-filled', 'false');
      await expect(page.getByTestId('slot-caption-b')).toContainText('84×70');
    }
  });

  test('Reasoning, no-reference, images dropped on their slots, with the user own question; Regenerate gives it again', async ({ page }, testInfo) => {
    const { bundle, png, expected } = flow();
    await page.goto('/');
    await selectTask(page, 'Reasoning');
    await loadPageBundle(page, bundle);
    await dropImages(page, '[data-testid=slot-a]', [{ name: 'a.png', bytes: png.a }]);
    await dropImages(page, '[data-testid=slot-b]', [{ name: 'b.png', bytes: png.b }]);
    await expect(page.getByTestId('slot-b')).toHaveAttribute('data-filled', 'true', { timeout: 30_000 });
    await expect(page.getByTestId('run-hint')).toHaveText('No-reference: no Reference image is given.');

    await page.getByLabel('Question', { exact: true }).selectOption('own');
    await expect(page.getByTestId('run-hint')).toHaveText('Type your question, or pick one of the set.');
    await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeDisabled();
    await page.getByLabel('Your question').fill(OWN_QUESTION);
    await setMaxNewTokens(page, ANSWER_TOKENS);
    await runToDone(page);
    const { reasoning } = expected;
    await expect(page.getByTestId('answer-text')).toHaveText(reasoning.answer);
    await expect(page.getByTestId('answer-question')).toHaveText(reasoning.question);
    await expect(page.getByTestId('answer-mode')).toHaveText('No-reference · your own question · greedy');
    await page.screenshot({ path: testInfo.outputPath('reasoning-own-question.png'), fullPage: true });

    await runToDone(page, 'Regenerate');
    await expect(page.getByTestId('answer-text')).toHaveText(reasoning.answer);
  });

  test('Distortion identification, full-reference, both images dropped on the page at once', async ({ page }, testInfo) => {
    const { bundle, png, expected } = flow();
    await page.goto('/');
    await selectTask(page, 'Distortion identification');
    await loadPageBundle(page, bundle);
    await expect(page.getByTestId('run-hint')).toHaveText('This task needs Image A.');
    // The page routes a dropped pair by name: the ground truth to the reference, the other to A.
    await dropImages(page, 'main', [
      { name: 'distorted.png', bytes: png.a },
      { name: 'gt_reference.png', bytes: png.reference },
    ]);
    await expect(page.getByTestId('slot-reference')).toHaveAttribute('data-filled', 'true', { timeout: 30_000 });
    await expect(page.getByTestId('slot-caption-a')).toContainText('70×84', { timeout: 30_000 });
    await expect(page.getByTestId('run-hint')).toHaveText('Full-reference: the model also sees the Reference.');

    await pickQuestion(page, 0);
    await setMaxNewTokens(page, ANSWER_TOKENS);
    await runToDone(page);
    const { distortion } = expected;
    await expect(page.getByTestId('answer-text')).toHaveText(distortion.answer);
    await expect(page.getByTestId('answer-question')).toHaveText(distortion.question);
    await expect(page.getByTestId('answer-mode')).toHaveText('Full-reference (with the Reference) · question 1 of the set · greedy');
    await expect(page.getByTestId('answer-distortion')).toHaveCount(distortion.distortion === null ? 0 : 1);
    await page.screenshot({ path: testInfo.outputPath('distortion-full-reference.png'), fullPage: true });
  });
});

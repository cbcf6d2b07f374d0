import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { convertBundle } from '../tools/convert/convertBundle.ts';
import { makeTinyCheckpoint } from '../tools/tiny/makeTinyCheckpoint.ts';
import { expect, test } from './fixtures.ts';

const repo = resolve(import.meta.dirname, '..');
/** Enough tokens to see the answer grow, few enough for two shared cores (the model runs on the CPU here). */
const ANSWER_TOKENS = 24;
const silent = { start() {}, tensorDone() {}, finish() {}, log() {} };

/** What `npm run ask -- --json` prints of an answer. */
interface AskRecord {
  answer: string;
  stopReason: string;
  stats: { tokensGenerated: number };
}

let root: string | undefined;
let bundleDir: string;
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
    root = await mkdtemp(join(tmpdir(), 'depictqa-run-e2e-'));
    const tiny = await makeTinyCheckpoint({ out: join(root, 'original'), seed: 11 });
    bundleDir = join(root, 'bundle');
    // q4 only: the variant the engine picks on the CPU backend, in the page and in Node alike.
    await convertBundle({ llm: tiny.llmDir, delta: tiny.deltaPath, clip: tiny.clipDir, out: bundleDir, variants: ['q4'], progress: silent });
    // 70×84: a short prompt (30 image rows); a fixed pattern, so the answer is the same at every run.
    const pixels = Buffer.alloc(70 * 84 * 3);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + (i >> 5) * 11) & 255;
    imageA = await sharp(pixels, { raw: { width: 70, height: 84, channels: 3 } }).png().toBuffer();
    const aPath = join(root, 'a.png');
    await writeFile(aPath, imageA);
    // The engine's Node API as `npm run ask` drives it (its own process: Playwright's loader cannot import the prompts' JSON).
    const { stdout } = await promisify(execFile)(
      'npx',
      ['tsx', 'tools/ask.ts', '--bundle', bundleDir, '--task', 'description', '--a', aPath, '--question-index', '0', '--max-new-tokens', String(ANSWER_TOKENS), '--json'],
      { cwd: repo },
    );
    expected = JSON.parse(stdout) as AskRecord;
  });

  test.afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  test('a folder bundle answers Description with the engine greedy text, streamed with a caret, then done with its stats', async ({ page }, testInfo) => {
    await page.goto('/');
    const run = page.getByRole('button', { name: 'Run', exact: true });
    await expect(run).toBeDisabled();
    await expect(page.getByTestId('run-hint')).toHaveText('Load a model first.');

    await page.getByTestId('model-folder-input').setInputFiles(bundleDir);
    await expect(page.getByTestId('model-ready')).toContainText('q4 · CPU (wasm)', { timeout: 30_000 });
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

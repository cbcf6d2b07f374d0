import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Download, Page } from '@playwright/test';
import { writeTinyEmbedder } from '../tools/tiny/embedder.ts';
import { BundleServer } from './bundleHarness/bundleServer.ts';
import { expect, test } from './fixtures.ts';
import { askJson, loadPageBundle, pageFlowBundle, patternPng, runToDone, setUpDescription, writeImage, type AskRecord } from './testing/pageBundle.ts';

/**
 * The sentence model in the page: downloaded from a URL (with progress, kept in the cache, reopened with the model
 * after a reload without a request), read from a folder, or fetched from the answer's chip; a detailed answer's
 * confidence is then the one `npm run ask -- --embedder DIR --json` computes for the same bundle, image and settings.
 */

/** Long enough for the random model's Description to be a detailed answer (more than the brief word limit). */
const ANSWER_TOKENS = 48;
const MODEL_FILES = ['config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json'];

interface Prepared {
  imageA: Buffer;
  embedderDir: string;
  expected: AskRecord;
  server: BundleServer;
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFile((await (download as Download).path())!, 'utf8');
}

/** The saved run's confidence as the JSON export has it. */
async function exportedConfidence(page: Page): Promise<{ kind: string; value: number | null; reason?: string }> {
  const item = page.getByTestId('history-item').first();
  const json = await downloaded(page, () => item.getByRole('button', { name: /as JSON$/ }).click());
  return (JSON.parse(json) as { runs: Array<{ confidenceReport: { kind: string; value: number | null; reason?: string } }> }).runs[0]!.confidenceReport;
}

test.describe('sentence model', () => {
  const flow = pageFlowBundle<Prepared>({
    project: 'wasm',
    testTimeoutMs: 240_000,
    prepare: async (bundle) => {
      const embedderDir = join(bundle.root, 'embedder');
      await writeTinyEmbedder(embedderDir, 0);
      const imageA = await patternPng();
      const a = await writeImage(bundle, 'a.png', imageA);
      const expected = await askJson(bundle, { task: 'description', images: { a }, questionIndex: 0, maxNewTokens: ANSWER_TOKENS, extra: ['--embedder', embedderDir] });
      // A second origin, so the download is a real CORS fetch as from a model host.
      const server = new BundleServer(tmpdir(), { embedder: embedderDir });
      await server.start();
      return { imageA, embedderDir, expected, server };
    },
    release: ({ server }) => server.stop(),
  });
  const embedderUrl = () => `${flow().server.bundleOrigin}/embedder/`;

  test.beforeEach(() => flow().server.reset());

  test('from a URL: progress, loaded, the detailed confidence as Node computes it, exported; after a reload it comes back from the cache', async ({ page }, testInfo) => {
    const { bundle, imageA, expected, server } = flow();
    const report = expected.confidence!;
    expect(report.kind).toBe('detail');
    expect(report.value).not.toBeNull();

    await page.goto(`/?embedder=${encodeURIComponent(embedderUrl())}`);
    const state = page.getByTestId('embedder-state');
    await expect(state).toHaveText(/^Not loaded: detailed answers show no confidence/);
    await expect(page.getByLabel('Sentence model URL')).toHaveValue(embedderUrl());
    // Slow enough to be seen downloading, whatever the machine.
    server.faults.push({ path: 'onnx/model.onnx', kind: 'throttle', bytesPerSecond: 20_000 });
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await expect(state).toHaveText(/^Downloading \d+% · /);
    await expect(page.getByTestId('embedder-progress')).toBeVisible();
    await expect(state).toHaveText(new RegExp(`^Loaded: ${escape(embedderUrl())} · \\d+(\\.\\d+)? KiB$`), { timeout: 60_000 });
    expect(server.requests.map((request) => request.path).sort()).toEqual(MODEL_FILES);
    await expect(page.getByTestId('embedder-cached')).toHaveCount(1);
    await page.getByTestId('model-panel').screenshot({ path: testInfo.outputPath('sentence-model-loaded.png') });

    await loadPageBundle(page, bundle);
    await setUpDescription(page, imageA, ANSWER_TOKENS);
    await runToDone(page, 'Run', 120_000);
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
    const chip = page.getByTestId('answer-confidence');
    await expect(chip).toHaveAttribute('data-kind', 'detail');
    await expect(page.getByTestId('answer-confidence-label')).toHaveText(`confidence ${report.value!.toFixed(2)}`);
    await expect(page.getByTestId('get-sentence-model')).toHaveCount(0);
    await chip.locator('summary').click();
    await expect(page.getByTestId('answer-confidence-explanation')).toContainText('Weighted mean probability of the');
    await expect(page.getByTestId('history-item').first()).toHaveAttribute('data-status', 'done');
    const exported = await exportedConfidence(page);
    expect(exported.kind).toBe('detail');
    // Relative: the random model's probabilities make the value tiny. The embedder runs on onnxruntime-node in Node.
    expect(relativeError(exported.value, report.value!)).toBeLessThan(1e-4);

    // A reload: loading the model brings the sentence model back from the cache, with no request to its host.
    server.reset();
    await page.reload();
    await loadPageBundle(page, bundle);
    await expect(state).toHaveText(new RegExp(`^Loaded: ${escape(embedderUrl())} \\(cached\\) · `), { timeout: 60_000 });
    expect(server.requests).toEqual([]);
  });

  test("a detailed answer without it: the chip's button gets it and fills in the confidence without answering again", async ({ page }, testInfo) => {
    const { bundle, imageA, expected, server } = flow();
    const report = expected.confidence!;
    await page.goto(`/?embedder=${encodeURIComponent(embedderUrl())}`);
    await loadPageBundle(page, bundle);
    await setUpDescription(page, imageA, ANSWER_TOKENS);
    await runToDone(page, 'Run', 120_000);
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
    await expect(page.getByTestId('answer-confidence-label')).toHaveText('confidence needs the sentence model');
    await expect((await exportedConfidence(page)).reason).toBe('needs the sentence model');
    const button = page.getByTestId('get-sentence-model');
    await page.locator('section[aria-labelledby="answer-heading"]').screenshot({ path: testInfo.outputPath('needs-sentence-model.png') });

    await button.click();
    await expect(page.getByTestId('answer-confidence-label')).toHaveText(`confidence ${report.value!.toFixed(2)}`, { timeout: 60_000 });
    await expect(page.getByTestId('embedder-state')).toHaveText(new RegExp(`^Loaded: ${escape(embedderUrl())} · `));
    expect(server.requests.map((request) => request.path).sort()).toEqual(MODEL_FILES);
    // The same answer, not a new one: one run in the history, now with the confidence.
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
    await expect(page.getByTestId('history-item')).toHaveCount(1);
    await expect.poll(async () => relativeError((await exportedConfidence(page)).value, report.value!), { timeout: 30_000 }).toBeLessThan(1e-4);
    await page.locator('section[aria-labelledby="answer-heading"]').screenshot({ path: testInfo.outputPath('sentence-model-filled.png') });
  });

  test('from a folder, and what a folder or URL without the model says', async ({ page }) => {
    const { bundle, embedderDir, server } = flow();
    await page.goto(`/?embedder=${encodeURIComponent(embedderUrl())}`);
    const state = page.getByTestId('embedder-state');

    // A folder without the model's files: named, nothing loaded.
    await page.getByTestId('embedder-folder-input').setInputFiles(bundle.bundleDir);
    await expect(page.getByTestId('embedder-error')).toContainText('holds no sentence model: no folder in it has both config.json and onnx/model.onnx');
    await expect(state).toHaveText('Not loaded.');

    // A URL whose tokenizer is missing: the file and the URL are named.
    server.faults.push({ path: 'tokenizer.json', kind: 'status', status: 404 });
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await expect(page.getByTestId('embedder-error')).toContainText(`tokenizer.json of the sentence model: the server answered 404 Not Found for ${embedderUrl()}tokenizer.json.`);

    await page.getByTestId('embedder-folder-input').setInputFiles(embedderDir);
    await expect(state).toHaveText(/^Loaded: embedder · \d+(\.\d+)? KiB$/, { timeout: 60_000 });
    await expect(page.getByTestId('embedder-error')).toHaveCount(0);
  });
});

function relativeError(value: number | null, expected: number): number {
  return value === null ? Infinity : Math.abs(value / expected - 1);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { readFile } from 'node:fs/promises';
import type { Download, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { imageAnswerEdits } from '../tools/tiny/imageAnswer.ts';
import {
  askJson, chooseImage, describedPattern, loadPageBundle, pageFlowBundle, patternPng, pickQuestion, runToDone, setMaxNewTokens, setUpDescription,
  writeImage,
} from './testing/pageBundle.ts';

/** Long enough for the random model's Description to be brief or detailed; the Node record says which. */
const ANSWER_TOKENS = 24;

/** What each kind measures and where the value was read, as the page words them. */
const MEASURES = {
  'single-brief': "Mean probability of the answer's tokens",
  'compare-brief': "Probability of the letter after 'Image' (upstream)",
  detail: 'Weighted mean probability of the',
} as const;
const SOURCES = {
  answer: 'from the answer',
  probe: 'from a probe after the question',
  're-ask': "from the answer to the question asked again with 'Answer the question using a single word or phrase.'",
} as const;

async function downloaded(page: Page, click: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFile((await (download as Download).path())!, 'utf8');
}

test.describe('answer confidence', () => {
  const flow = pageFlowBundle({ project: 'wasm', prepare: (bundle) => describedPattern(bundle, ANSWER_TOKENS), testTimeoutMs: 180_000 });

  test("a finished Description shows DepictQA's confidence as Node computes it, explains it, and exports it", async ({ page }, testInfo) => {
    const { bundle, imageA, expected } = flow();
    const report = expected.confidence;
    expect(report).not.toBeNull();
    await page.goto('/');
    await loadPageBundle(page, bundle);
    await setUpDescription(page, imageA, ANSWER_TOKENS);
    await runToDone(page, 'Run', 120_000);
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);

    // The chip: the value as Node has it (two decimals), or why there is none; the kind and source Node reports.
    const chip = page.getByTestId('answer-confidence');
    await expect(chip).toHaveAttribute('data-kind', report!.kind);
    await expect(chip).toHaveAttribute('data-source', report!.source);
    const value = report!.value === null ? null : report!.value.toFixed(2);
    const label = value !== null ? `confidence ${value}` : report!.reason === 'needs the sentence model' ? 'confidence needs the sentence model' : 'no confidence';
    await expect(page.getByTestId('answer-confidence-label')).toHaveText(label);

    // Its explanation: the hover text, and the same line once the chip is opened.
    const line = `${MEASURES[report!.kind]}`;
    const summary = chip.locator('summary');
    await expect(summary).toHaveAttribute('title', new RegExp(`^${escape(line)}.*; ${escape(SOURCES[report!.source])}\\.$`));
    await expect(page.getByTestId('answer-confidence-explanation')).toBeHidden();
    await summary.click();
    await expect(page.getByTestId('answer-confidence-explanation')).toBeVisible();
    await expect(page.getByTestId('answer-confidence-explanation')).toContainText(line);
    await expect(page.getByTestId('answer-confidence-explanation')).toContainText(SOURCES[report!.source]);
    if (report!.reask !== undefined) await expect(page.getByTestId('answer-confidence-reask')).toContainText(report!.reask.question);
    const panel = page.locator('section[aria-labelledby="answer-heading"]');
    await panel.screenshot({ path: testInfo.outputPath('answer-confidence.png') });

    // The saved run's Markdown says it too.
    const item = page.getByTestId('history-item').first();
    await expect(item).toHaveAttribute('data-status', 'done');
    const markdown = await downloaded(page, () => item.getByRole('button', { name: /as Markdown$/ }).click());
    const head = value ?? (report!.reason === 'needs the sentence model' ? 'needs the sentence model' : 'none');
    expect(markdown).toContain(`- **Confidence:** ${head} (${report!.kind}) — ${line}`);
    expect(markdown).toContain(SOURCES[report!.source]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test.describe('comparison confidence with a verdict', () => {
  /** The tiny model edited so that its greedy answer is "Image A" (tools/tiny/imageAnswer.ts). */
  const flow = pageFlowBundle({
    project: 'wasm',
    edits: imageAnswerEdits('A', 2),
    testTimeoutMs: 180_000,
    prepare: async (bundle) => {
      const images = { a: await patternPng(0), b: await patternPng(1) };
      const a = await writeImage(bundle, 'a.png', images.a);
      const b = await writeImage(bundle, 'b.png', images.b);
      const expected = await askJson(bundle, { task: 'comparison', images: { a, b }, questionIndex: 0, maxNewTokens: 8 });
      return { images, expected };
    },
  });

  test("a Comparison answer naming Image A: the verdict and DepictQA's confidence as Node computes them, exported", async ({ page }) => {
    const { bundle, images, expected } = flow();
    const report = expected.confidence!;
    // Node's answer is what the edited model was made to say; the page must then show the same.
    expect(expected.verdict).toBe('A');
    expect(report).toMatchObject({ kind: 'compare-brief', source: 'answer' });
    expect(report.value).not.toBeNull();
    await page.goto('/');
    await page.getByRole('radio', { name: /^Comparison/ }).check();
    await loadPageBundle(page, bundle);
    await chooseImage(page, 'a', 'a.png', images.a);
    await chooseImage(page, 'b', 'b.png', images.b);
    await pickQuestion(page, 0);
    await setMaxNewTokens(page, 8);
    await runToDone(page, 'Run', 120_000);
    await expect(page.getByTestId('answer-text')).toHaveText(expected.answer);
    await expect(page.getByTestId('answer-verdict')).toHaveText('Image A is better');
    const chip = page.getByTestId('answer-confidence');
    await expect(chip).toHaveAttribute('data-kind', 'compare-brief');
    await expect(chip).toHaveAttribute('data-source', 'answer');
    await expect(page.getByTestId('answer-confidence-label')).toHaveText(`confidence ${report.value!.toFixed(2)}`);
    const item = page.getByTestId('history-item').first();
    await expect(item).toHaveAttribute('data-status', 'done');
    const json = await downloaded(page, () => item.getByRole('button', { name: /as JSON$/ }).click());
    const exported = (JSON.parse(json) as { runs: Array<{ confidenceReport: { value: number } }> }).runs[0]!.confidenceReport.value;
    expect(Math.abs(exported - report.value!)).toBeLessThan(1e-4);
  });
});

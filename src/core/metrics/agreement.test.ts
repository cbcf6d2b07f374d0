import { describe, expect, it } from 'vitest';
import { agreementSentence, currentVerdict, metricAgreement, runImagesAfter, type RunView } from './agreement.ts';
import { metricValues } from './testing/metricValues.ts';

const values = metricValues;

describe('metricAgreement', () => {
  // A is better by PSNR (both), SSIM and GMSD; B by MS-SSIM.
  const a = values({ psnrRgb: 35, psnrLuma: 36, ssim: 0.95, msSsim: 0.9, gmsd: 0.02 });
  const b = values({ psnrRgb: 30, psnrLuma: 31, ssim: 0.9, msSsim: 0.97, gmsd: 0.08 });

  it('marks each metric as agreeing or disagreeing with the verdict', () => {
    const summary = metricAgreement('A', a, b);
    expect(summary.rows.map((row) => [row.id, row.prefers, row.agreement])).toEqual([
      ['psnrRgb', 'A', 'agrees'],
      ['psnrLuma', 'A', 'agrees'],
      ['ssim', 'A', 'agrees'],
      ['msSsim', 'B', 'disagrees'],
      ['gmsd', 'A', 'agrees'],
    ]);
    expect(agreementSentence(summary)).toBe('4 of 5 metrics agree with the model.');
    expect(agreementSentence(metricAgreement('B', a, b))).toBe('1 of 5 metrics agree with the model.');
  });

  it('leaves ties and missing values out of the count, and says so', () => {
    const summary = metricAgreement('B', values({ msSsim: null, gmsd: 0.05 }), values({ msSsim: 0.9, psnrRgb: 40, psnrLuma: 40, ssim: 0.95 }));
    expect(summary.rows.find((row) => row.id === 'msSsim')?.agreement).toBe('unavailable');
    expect(summary.rows.find((row) => row.id === 'gmsd')?.agreement).toBe('tie');
    expect(summary).toMatchObject({ agreeing: 3, deciding: 3, ties: 1 });
    expect(agreementSentence(summary)).toBe('3 of 3 metrics agree with the model (1 tie left out).');
  });

  it('has no sentence when no metric prefers either image', () => {
    const same = values({});
    expect(agreementSentence(metricAgreement('A', same, same))).toBeNull();
  });
});

describe('currentVerdict', () => {
  const images = { reference: 'r', a: 'x', b: 'y' };

  it('gives the verdict of a finished run on the same images', () => {
    expect(currentVerdict({ status: 'done', verdict: 'B' }, images, { ...images })).toBe('B');
  });

  it('gives null for a run still going, stopped, unparsed, or on other or swapped images', () => {
    expect(currentVerdict({ status: 'running', verdict: null }, images, images)).toBeNull();
    expect(currentVerdict({ status: 'stopped', verdict: 'A' }, images, images)).toBeNull();
    expect(currentVerdict({ status: 'done', verdict: null }, images, images)).toBeNull();
    expect(currentVerdict({ status: 'done', verdict: 'A' }, images, { ...images, a: 'z' })).toBeNull();
    expect(currentVerdict({ status: 'done', verdict: 'A' }, images, { reference: 'r', a: 'y', b: 'x' })).toBeNull();
    expect(currentVerdict({ status: 'done', verdict: 'A' }, null, images)).toBeNull();
  });
});

describe('runImagesAfter', () => {
  const slots = { reference: 'r', a: 'x', b: 'y' };
  const idle: RunView = { status: 'idle', lastRun: null, summary: null };

  it('takes the images of a started run (or a regenerate) from its request', () => {
    const lastRun = { images: { a: { id: 'old-a' }, b: { id: 'old-b' } } };
    expect(runImagesAfter({ status: 'encoding', lastRun, summary: null }, idle, slots)).toEqual({ reference: null, a: 'old-a', b: 'old-b' });
  });

  it('keeps them when that run finishes, and takes the slots for an answer restored from history', () => {
    const lastRun = { images: { a: { id: 'x' } } };
    const running: RunView = { status: 'running', lastRun, summary: null };
    expect(runImagesAfter({ status: 'done', lastRun, summary: {} }, running, slots)).toBeUndefined();
    const done: RunView = { status: 'done', lastRun, summary: {} };
    expect(runImagesAfter({ status: 'done', lastRun, summary: { restored: true } }, done, slots)).toEqual(slots);
    expect(runImagesAfter(done, done, slots)).toBeUndefined();
  });
});

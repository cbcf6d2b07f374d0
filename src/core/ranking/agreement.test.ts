import { describe, expect, it } from 'vitest';
import { metricAgreement, mosAgreement, parseMosCsv } from './agreement.ts';

describe('metricAgreement', () => {
  it('correlates the scores with each metric, GMSD negated, over the candidates that have a value', () => {
    const scores = [3, 1, 2, 0];
    const values = [
      { psnr: 40, ssim: 0.9, msSsim: 0.95, gmsd: 0.01 },
      { psnr: 30, ssim: 0.7, msSsim: 0.8, gmsd: 0.05 },
      { psnr: 35, ssim: 0.6, msSsim: null, gmsd: 0.03 },
      null,
    ];
    const [psnr, ssim, msSsim, gmsd] = metricAgreement(scores, values);
    expect(psnr).toEqual({ metric: 'psnr', n: 3, srcc: 1, krcc: 1 });
    expect(ssim!.srcc).toBeCloseTo(0.5, 12);
    expect(ssim!.krcc).toBeCloseTo(1 / 3, 12);
    expect(msSsim).toMatchObject({ n: 2, srcc: 1, krcc: 1 });
    expect(gmsd).toMatchObject({ n: 3, srcc: 1, krcc: 1 });
  });
});

describe('parseMosCsv', () => {
  const candidates = ['c1.png', 'c2.png', 'c3.png', 'c4.png'];

  it('reads filename,mos rows with or without a header, matching names without folders', () => {
    const table = parseMosCsv('filename,mos\r\nset/c2.png,2.5\n"c1.png",4\nc3.png,1e0\nc4.png,3\nother.png,9\n\n', candidates);
    expect(table).toEqual({ mos: [4, 2.5, 1, 3], ignored: ['other.png'] });
  });

  it('names the bad rows, a file given twice and the candidates without a MOS', () => {
    expect(() => parseMosCsv('c1.png,4\nc2.png;3\nc3.png,high\n', candidates)).toThrow('rows that are not "filename,number": line 2 ("c2.png;3"), line 3 ("c3.png,high")');
    expect(() => parseMosCsv('c1.png,4\nc1.png,3\n', candidates)).toThrow('more than one MOS for c1.png');
    expect(() => parseMosCsv('c1.png,4\nC2.png,3\nx.png,1\n', candidates)).toThrow(
      'no MOS for 3 of 4 candidates: c2.png, c3.png, c4.png. Its rows name files that are not candidates: C2.png, x.png.',
    );
  });
});

describe('mosAgreement', () => {
  it('fits the 4-parameter logistic before PLCC, as DepictQA evaluates', () => {
    const scores = [-2, -1, 0, 1, 2, 3];
    const mos = [1.1, 1.3, 2.5, 3.9, 4.5, 4.6];
    const result = mosAgreement(scores, mos);
    expect(result.srcc).toBe(1);
    expect(result.betas).not.toBeNull();
    expect(result.plcc).toBeGreaterThan(0.99);
  });
});

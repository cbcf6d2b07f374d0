/**
 * How a ranking agrees with other judgements of the same candidates: the classic full-reference metrics (SRCC and
 * KRCC of the Bradley–Terry scores against each metric) and the user's MOS (SRCC and PLCC after DepictQA's
 * 4-parameter logistic fit, as its evaluation computes them). Pure: the page computes the metrics in a worker.
 */
import { AppError } from '../errors.ts';
import { kendall, spearman } from '../generation/correlation.ts';
import { evaluateGroup } from '../generation/scores.ts';
import { splitCsvLine } from '../csv.ts';

export type AgreementMetric = 'psnr' | 'ssim' | 'msSsim' | 'gmsd';

export const AGREEMENT_METRICS: readonly { id: AgreementMetric; label: string; lowerIsBetter: boolean }[] = [
  { id: 'psnr', label: 'PSNR', lowerIsBetter: false },
  { id: 'ssim', label: 'SSIM', lowerIsBetter: false },
  { id: 'msSsim', label: 'MS-SSIM', lowerIsBetter: false },
  { id: 'gmsd', label: 'GMSD', lowerIsBetter: true },
];

export interface MetricAgreement {
  metric: AgreementMetric;
  /** Candidates with a value of this metric (a candidate of another size than the reference has none). */
  n: number;
  /** Positive: the metric and the ranking agree (GMSD is negated first, since lower is better there). NaN below 2 images. */
  srcc: number;
  krcc: number;
}

/** SRCC and KRCC of `scores` (higher is better) against each metric, over the candidates that have a value. */
export function metricAgreement(scores: readonly number[], values: ReadonlyArray<Partial<Record<AgreementMetric, number | null>> | null>): MetricAgreement[] {
  return AGREEMENT_METRICS.map(({ id, lowerIsBetter }) => {
    const x: number[] = [];
    const y: number[] = [];
    for (const [k, score] of scores.entries()) {
      const value = values[k]?.[id];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      x.push(score);
      y.push(lowerIsBetter ? -value : value);
    }
    if (x.length < 2) return { metric: id, n: x.length, srcc: NaN, krcc: NaN };
    return { metric: id, n: x.length, srcc: spearman(x, y), krcc: kendall(x, y) };
  });
}

export interface MosTable {
  /** MOS by candidate index. */
  mos: number[];
  /** Rows naming files that are not candidates: ignored (a dataset's CSV may list more images). */
  ignored: string[];
}

/**
 * Reads a CSV of `filename,mos` rows (an optional header; names matched on their last path part) for the given
 * candidates. Refuses, naming the lines, rows that are not two fields or whose MOS is not a number, a name given
 * twice, and candidates without a MOS.
 */
export function parseMosCsv(text: string, candidates: readonly string[]): MosTable {
  const base = (name: string) => name.split(/[\\/]/).pop()!.trim();
  const wanted = new Map(candidates.map((name, k) => [base(name), k]));
  const rows = text.split(/\r\n|\n|\r/).map((line, k) => ({ line: k + 1, fields: splitCsvLine(line) })).filter((row) => row.fields.some((field) => field.trim() !== ''));
  if (rows.length > 0 && !isNumber(rows[0]!.fields[1])) rows.shift(); // a header such as "filename,mos"
  const bad: string[] = [];
  const mos = new Array<number | undefined>(candidates.length).fill(undefined);
  const ignored: string[] = [];
  const twice: string[] = [];
  for (const { line, fields } of rows) {
    if (fields.length !== 2 || fields[0]!.trim() === '' || !isNumber(fields[1])) {
      bad.push(`line ${line} (${JSON.stringify(fields.join(',')).slice(0, 60)})`);
      continue;
    }
    const index = wanted.get(base(fields[0]!));
    if (index === undefined) ignored.push(base(fields[0]!));
    else if (mos[index] !== undefined) twice.push(base(fields[0]!));
    else mos[index] = Number(fields[1]);
  }
  const fix = 'Each row must be "filename,mos", e.g. "c1.png,3.42", with one row per candidate.';
  if (bad.length > 0) throw new AppError('SCORES_INPUT_INVALID', `The MOS file has rows that are not "filename,number": ${shortList(bad)}.`, { hint: fix });
  if (twice.length > 0) throw new AppError('SCORES_INPUT_INVALID', `The MOS file gives more than one MOS for ${shortList(twice)}.`, { hint: 'Keep one row per file.' });
  const missing = candidates.filter((_, k) => mos[k] === undefined).map(base);
  if (missing.length > 0) {
    const unmatched = ignored.length > 0 ? ` Its rows name files that are not candidates: ${shortList(ignored)}.` : '';
    throw new AppError('SCORES_INPUT_INVALID', `The MOS file has no MOS for ${missing.length} of ${candidates.length} candidates: ${shortList(missing)}.${unmatched}`, {
      hint: 'Names are matched on the file name (without folders), case included. ' + fix,
    });
  }
  return { mos: mos as number[], ignored };
}

export interface MosAgreement {
  n: number;
  srcc: number;
  plcc: number;
  /** The fitted curve; null below 4 images or for constant scores (then PLCC is on the raw scores). */
  betas: [number, number, number, number] | null;
}

/** SRCC and PLCC of the scores against MOS after DepictQA's 4-parameter logistic fit. */
export function mosAgreement(scores: readonly number[], mos: readonly number[]): MosAgreement {
  const evaluated = evaluateGroup(scores, mos);
  return { n: scores.length, srcc: evaluated.srcc, plcc: evaluated.plcc, betas: evaluated.betas };
}

function isNumber(text: string | undefined): boolean {
  return text !== undefined && text.trim() !== '' && Number.isFinite(Number(text));
}

function shortList(items: readonly string[]): string {
  return items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}

import type { Verdict } from '../generation/verdict.ts';
import type { ImageSlotId } from '../tasks.ts';
import { METRIC_ROWS, preferred, type MetricRow } from './metricRows.ts';
import type { MetricsResult } from './computeMetrics.ts';

type Values = Omit<MetricsResult, 'ssimMap'>;

/** How one metric's preference relates to the model's verdict. */
export type Agreement = 'agrees' | 'disagrees' | 'tie' | 'unavailable';

export interface AgreementRow {
  id: MetricRow['id'];
  prefers: 'A' | 'B' | 'tie' | null;
  agreement: Agreement;
}

export interface AgreementSummary {
  verdict: Verdict;
  rows: AgreementRow[];
  agreeing: number;
  /** Metrics that prefer one image (ties and missing values are left out). */
  deciding: number;
  ties: number;
}

/** Each metric row's preference between A and B, set against the model's verdict. */
export function metricAgreement(verdict: Verdict, a: Values, b: Values, rows: readonly MetricRow[] = METRIC_ROWS): AgreementSummary {
  const out = rows.map((row): AgreementRow => {
    const prefers = preferred(row, a, b);
    const agreement: Agreement = prefers === null ? 'unavailable' : prefers === 'tie' ? 'tie' : prefers === verdict ? 'agrees' : 'disagrees';
    return { id: row.id, prefers, agreement };
  });
  const count = (kind: Agreement) => out.filter((row) => row.agreement === kind).length;
  const agreeing = count('agrees');
  return { verdict, rows: out, agreeing, deciding: agreeing + count('disagrees'), ties: count('tie') };
}

/** "3 of 4 metrics agree with the model", with ties named; null when no metric prefers either image. */
export function agreementSentence(summary: AgreementSummary): string | null {
  if (summary.deciding === 0) return null;
  const noun = summary.deciding === 1 ? 'metric' : 'metrics';
  const verb = summary.agreeing === 1 && summary.deciding === 1 ? 'agrees' : 'agree';
  const ties = summary.ties === 0 ? '' : ` (${summary.ties} ${summary.ties === 1 ? 'tie' : 'ties'} left out)`;
  return `${summary.agreeing} of ${summary.deciding} ${noun} ${verb} with the model${ties}.`;
}

/** The ids of the images a run used, by slot (null for an empty slot). */
export type RunImages = Record<ImageSlotId, string | null>;

/** What the run store says about the runs, as far as the images behind a verdict go. */
export interface RunView {
  status: string;
  /** The request of the last run started: the images it read, by slot. */
  lastRun: { images: Partial<Record<ImageSlotId, { id: string }>> } | null;
  summary: unknown;
}

/**
 * The images behind the answer now shown, after a run-store change; undefined when they did not change.
 * A started run (or a regenerate, which reuses its request's images) read its request's images; an answer that
 * becomes 'done' without having run (restored from history) belongs to the images now in the slots, which the
 * restore put there first.
 */
export function runImagesAfter(state: RunView, previous: RunView, slots: RunImages): RunImages | undefined {
  if (state.lastRun !== previous.lastRun && state.lastRun !== null) {
    const { images } = state.lastRun;
    return { reference: images.reference?.id ?? null, a: images.a?.id ?? null, b: images.b?.id ?? null };
  }
  const ran = previous.status === 'running' || previous.status === 'encoding';
  if (state.status === 'done' && !ran && state.summary !== previous.summary) return { ...slots };
  return undefined;
}

/**
 * The model's verdict when it applies to the images now in the slots: the run finished ('done'), the answer
 * named an image, and reference, A and B are the very images that run saw. Anything else gives null, so a
 * verdict about earlier or swapped images is never set against the current metrics.
 */
export function currentVerdict(
  run: { status: string; verdict: Verdict | null | undefined },
  runImages: RunImages | null,
  current: RunImages,
): Verdict | null {
  if (run.status !== 'done' || run.verdict == null || runImages === null) return null;
  const same = (['reference', 'a', 'b'] as const).every((slot) => runImages[slot] === current[slot]);
  return same && current.a !== null && current.b !== null ? run.verdict : null;
}

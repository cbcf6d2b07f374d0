import { formatScore, markdownReport, type MethodsReport, type OutputMetrics } from '../methods/methodsReport.ts';
import { beginRecord, type HistoryModel, type HistoryRecord } from './record.ts';

export interface MethodsRunStart {
  id: string;
  model: HistoryModel | null;
  startedAt: number;
}

/**
 * A finished method comparison as a history record: the result kept whole (the page shows it again from it), and
 * as its "answer" the methods in order in words, so that the list, Copy and the Markdown export read it like any
 * run. The test set's images stay out of History: they are the user's folders, hundreds of files.
 */
export function methodsHistoryRecord(start: MethodsRunStart, report: MethodsReport, metrics: OutputMetrics, referenceFolder: string | null, stopped: boolean, now: number): HistoryRecord {
  const lines = [
    `${report.methods.length} methods on ${report.stats.images} images: ${report.methods[0]!.name} best, ${report.methods.at(-1)!.name} worst${stopped ? ' (stopped before the end)' : ''}.`,
    '',
    ...report.methods.map((m, k) => `${k + 1}. ${m.name}  ${formatScore(m.score)} [${formatScore(m.low)}, ${formatScore(m.high)}]`),
  ];
  const begun = beginRecord({ ...start, images: [], task: 'methods', settings: { maxNewTokens: 0, sampling: null, loopGuard: false } });
  return { ...begun, status: stopped ? 'stopped' : 'done', question: null, answer: lines.join('\n'), methods: { report, metrics, referenceFolder }, updatedAt: now };
}

/** The record's report for the Markdown export. */
export function methodsMarkdown(record: HistoryRecord): string[] {
  return record.methods === undefined || record.methods === null ? [] : ['', markdownReport(record.methods.report).trimEnd()];
}

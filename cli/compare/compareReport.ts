/**
 * The files a method comparison leaves in OUT, each written whole or not at all: report.md (the tables and the
 * disagreements), table.tex (a booktabs tabular for a paper), images.csv (one row per id and method),
 * win-rates.svg and scores.svg, then summary.json, the mark of a finished merge.
 */
import { join } from 'node:path';
import { imagesCsv, latexTable, markdownReport, scoresSvg, winRateSvg, type MethodsReport, type OutputMetrics } from '../../src/core/methods/methodsReport.ts';
import { writeFileDurably } from '../fs/durableWrite.ts';

/** summary.json: the methods report and the model that made it. */
export interface CompareSummary extends MethodsReport {
  model: unknown;
}

export async function writeCompareReport(out: string, summary: CompareSummary, metrics: OutputMetrics): Promise<void> {
  await writeFileDurably(join(out, 'images.csv'), imagesCsv(summary, metrics));
  await writeFileDurably(join(out, 'table.tex'), latexTable(summary));
  await writeFileDurably(join(out, 'win-rates.svg'), winRateSvg(summary));
  await writeFileDurably(join(out, 'scores.svg'), scoresSvg(summary));
  await writeFileDurably(join(out, 'report.md'), markdownReport(summary));
  await writeFileDurably(join(out, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
}

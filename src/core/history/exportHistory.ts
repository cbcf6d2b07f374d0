/**
 * Exports of saved runs: JSON for programs (everything but the image bytes, which are named by sha256 instead)
 * and Markdown for people. Pure: the page turns the strings into downloads.
 */
import { explainConfidence } from '../confidence/explain.ts';
import { NEEDS_SENTENCE_MODEL } from '../engine/confidence.ts';
import { formatBytes } from '../format.ts';
import type { RankResult } from '../engine/rank.ts';
import { localizeMarkdown } from './localizeRecord.ts';
import { methodsMarkdown } from './methodsRecord.ts';
import { chosenConfidence, historySlotLabel, historyTaskLabel, verdictLabel, type HistoryRecord } from './record.ts';

export const HISTORY_EXPORT_FORMAT = 'depictqa-web-history';

/** A record as exported: times as ISO 8601 strings, the rest as stored. */
export type ExportedRun = Omit<HistoryRecord, 'startedAt' | 'updatedAt'> & { startedAt: string; updatedAt: string };

export interface HistoryExport {
  format: typeof HISTORY_EXPORT_FORMAT;
  version: 1;
  exportedAt: string;
  runs: ExportedRun[];
}

export function historyToJson(records: readonly HistoryRecord[], exportedAt: Date): string {
  const document: HistoryExport = {
    format: HISTORY_EXPORT_FORMAT,
    version: 1,
    exportedAt: exportedAt.toISOString(),
    runs: records.map((record) => ({
      ...record,
      startedAt: new Date(record.startedAt).toISOString(),
      updatedAt: new Date(record.updatedAt).toISOString(),
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function historyToMarkdown(records: readonly HistoryRecord[], exportedAt: Date): string {
  const count = records.length === 1 ? '1 run' : `${records.length} runs`;
  const parts = [`# DepictQA Web history\n\nExported ${formatTime(exportedAt.getTime())} · ${count}\n`];
  for (const record of records) parts.push(runToMarkdown(record));
  return parts.join('\n');
}

/** One run as a Markdown section (a level-2 heading and its facts). */
export function runToMarkdown(record: HistoryRecord): string {
  const lines = [`## ${historyTaskLabel(record.task)} · ${formatTime(record.startedAt)}`, ''];
  lines.push(`- **Status:** ${statusText(record)}`, `- **Model:** ${modelText(record)}`);
  lines.push(`- **Images:**${record.images.length === 0 ? ' none' : ''}`);
  for (const image of record.images) {
    const size = `${image.format}, ${image.width}×${image.height}, ${formatBytes(image.bytes)}`;
    lines.push(`  - ${historySlotLabel(image.slot)}: ${inlineText(image.name)} (${size}, sha256 \`${image.sha256}\`)`);
  }
  const verdict = verdictLabel(record);
  if (verdict !== null) {
    const confidence = chosenConfidence(record);
    lines.push(`- **Verdict:** ${confidence === null ? verdict : `${verdict} (${Math.round(confidence * 100)}% confidence)`}`);
  }
  const confidence = confidenceText(record);
  if (confidence !== null) lines.push(`- **Confidence:** ${confidence}`);
  const ownAnswer = record.task !== 'rank' && record.task !== 'methods' && record.task !== 'localize';
  if (ownAnswer) lines.push(`- **Settings:** ${settingsText(record)}`);
  if (record.stats !== null) lines.push(`- **Stats:** ${statsText(record.stats)}`);
  const rank = record.rank ?? null;
  if (rank !== null) lines.push('', ...rankMarkdown(rank, record.images.filter((image) => image.slot === 'candidate').map((image) => image.name)));
  lines.push(...methodsMarkdown(record), ...localizeMarkdown(record));
  // A ranking asks its question of many pairs; a method comparison and a map ask theirs of many crops or images.
  if (record.question !== null || ownAnswer) lines.push('', `**Question:** ${record.question === null ? '_none: the run failed before asking_' : inlineText(record.question)}`);
  lines.push('', `**${ownAnswer ? 'Answer' : 'Summary'}:**`, '', quote(record.answer));
  if (record.error !== null) {
    lines.push('', `**Error** (\`${record.error.code}\`): ${inlineText(record.error.message)}`);
    if (record.error.hint !== undefined) lines.push('', inlineText(record.error.hint));
  }
  return `${lines.join('\n')}\n`;
}

/** A ranking as a Markdown table, best first, with its position bias and cost. */
function rankMarkdown(rank: RankResult, names: readonly string[]): string[] {
  const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
  const lines = ['| Rank | Image | Score | 95% interval | Voting score | Won–lost |', '|---:|---|---:|---|---:|---:|'];
  for (const [k, entry] of rank.ranking.entries()) {
    const votes = Number.isFinite(entry.votes) ? entry.votes.toFixed(3) : '–';
    lines.push(`| ${k + 1} | ${inlineText(names[entry.index] ?? `#${entry.index + 1}`).replace(/\|/g, '\\|')} | ${signed(entry.score)} | [${signed(entry.low)}, ${signed(entry.high)}] | ${votes} | ${entry.wins}–${entry.losses} |`);
  }
  const s = rank.stats;
  lines.push(
    '',
    `- **Position bias:** ${(rank.positionBias * 100).toFixed(1)}% for Image A (50% is none)`,
    `- **Pairs:** ${s.pairs} (${rank.mode === 'allPairs' ? 'all pairs' : 'active'}) · ${s.comparisons + s.priorComparisons} comparisons · ${s.modelRuns} model runs · ${s.prefillTokensSaved} prefill tokens saved`,
  );
  return lines;
}

/** "2026-11-26 12:40:03 UTC": one unambiguous form, whatever the reader's time zone. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function statusText(record: HistoryRecord): string {
  if (record.status === 'failed') return 'failed';
  if (record.interrupted) return 'stopped (interrupted: the page closed while it answered)';
  if (record.status === 'stopped') return 'stopped';
  if (record.status === 'running') return 'running';
  return record.stopReason === 'max_tokens' ? 'done (reached the token limit)' : 'done';
}

/** DepictQA's confidence, what it measures and where it was read; null for records without one. */
function confidenceText(record: HistoryRecord): string | null {
  const report = record.confidenceReport ?? null;
  if (report === null) return null;
  const explanation = explainConfidence(report, record.comparison ?? null);
  const head = explanation.value ?? (report.reason === NEEDS_SENTENCE_MODEL ? NEEDS_SENTENCE_MODEL : 'none');
  const notes = explanation.notes.map((note) => ` ${note}${note.endsWith('.') ? '' : '.'}`).join('');
  return `${head} (${report.kind}) — ${explanation.summary}${notes}`;
}

function modelText(record: HistoryRecord): string {
  if (record.model === null) return 'none loaded';
  const backend = record.model.backend === 'wasm' ? 'CPU (wasm)' : record.model.backend === 'webgpu' ? 'WebGPU' : record.model.backend;
  return `${inlineText(record.model.name)} (${record.model.variant}, ${backend})`;
}

function settingsText(record: HistoryRecord): string {
  const { maxNewTokens, sampling } = record.settings;
  const parts = [`max new tokens ${maxNewTokens}`];
  if (sampling === null || (sampling.temperature ?? 0) === 0) parts.push('greedy');
  else {
    parts.push(`temperature ${sampling.temperature}`);
    if (sampling.topP !== undefined) parts.push(`top-p ${sampling.topP}`);
    if (sampling.topK !== undefined) parts.push(`top-k ${sampling.topK}`);
    if (sampling.seed !== undefined) parts.push(`seed ${sampling.seed}`);
  }
  if (sampling?.repetitionPenalty !== undefined && sampling.repetitionPenalty !== 1) parts.push(`repetition penalty ${sampling.repetitionPenalty}`);
  if (sampling?.noRepeatNgramSize !== undefined && sampling.noRepeatNgramSize > 0) parts.push(`no repeated ${sampling.noRepeatNgramSize}-grams`);
  if (record.settings.loopGuard) parts.push('loop guard on');
  return parts.join('; ');
}

function statsText(stats: NonNullable<HistoryRecord['stats']>): string {
  return [
    `${stats.tokensGenerated} tokens`,
    `${stats.decodeTokensPerSecond.toFixed(1)} tokens/s`,
    `first token after ${Math.round(stats.timeToFirstTokenMs)} ms`,
    `total ${(stats.totalMs / 1000).toFixed(1)} s`,
  ].join(' · ');
}

/** The answer as a block quote, line by line; an empty answer says so. */
function quote(text: string): string {
  if (text.trim() === '') return '> _(no answer)_';
  return text
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
}

/** Names and one-line texts kept on one line (a newline would end the list item). */
function inlineText(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

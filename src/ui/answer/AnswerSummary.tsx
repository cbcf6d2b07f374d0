import { Download } from 'lucide-react';
import { explainConfidence } from '../../core/confidence/explain.ts';
import { type ComparisonVerdict, type ConfidenceReport, NEEDS_SENTENCE_MODEL } from '../../core/engine/confidence.ts';
import { useEmbedderStore } from '../../state/useEmbedderStore.ts';
import type { RunSummary } from '../../state/useRunStore.ts';
import { getEmbedder } from '../model/embedderActions.ts';
import { smallButtonClass } from '../model/styles.ts';

/** The verdict or distortion read from a finished answer, DepictQA's confidence of it, and its speed. */
export function AnswerSummary({ summary }: { summary: RunSummary }) {
  const { verdict, distortion, confidenceReport, comparison, stats } = summary;
  return (
    <div className="space-y-2 border-t border-slate-100 pt-3 dark:border-slate-800">
      <div className="flex flex-wrap items-center gap-2">
        {verdict !== null && (
          <span data-testid="answer-verdict" className="rounded-full bg-emerald-100 px-3 py-1 text-sm font-semibold text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200">
            Image {verdict} is better
          </span>
        )}
        {distortion !== null && (
          <span data-testid="answer-distortion" className="rounded-full bg-amber-100 px-3 py-1 text-sm font-medium text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">
            {distortion === 'None' ? 'No distortion' : distortion}
          </span>
        )}
      </div>
      {confidenceReport !== null && (
        <div className="flex flex-wrap items-start gap-2">
          <ConfidenceChip report={confidenceReport} comparison={comparison} />
          {confidenceReport.reason === NEEDS_SENTENCE_MODEL && <GetSentenceModel />}
        </div>
      )}
      <p className="text-xs text-slate-500 tabular-nums dark:text-slate-400" data-testid="answer-stats">
        {stats.tokensGenerated} tokens · {stats.decodeTokensPerSecond.toFixed(1)} tokens/s · first token after {Math.round(stats.timeToFirstTokenMs)} ms
      </p>
    </div>
  );
}

/**
 * DepictQA's confidence as a chip ("confidence 0.82") that opens to say what it measures and where it was read;
 * the same line is its hover text.
 */
export function ConfidenceChip({ report, comparison }: { report: ConfidenceReport; comparison: ComparisonVerdict | null }) {
  const explanation = explainConfidence(report, comparison);
  const known = explanation.value !== null;
  return (
    <details data-testid="answer-confidence" data-kind={report.kind} data-source={report.source} data-value={explanation.value ?? ''} className="group text-sm">
      <summary
        title={explanation.summary}
        className={`inline-flex cursor-pointer list-none items-center gap-1 rounded-full px-3 py-1 font-medium tabular-nums ${
          known ? 'bg-sky-100 text-sky-900 dark:bg-sky-900/60 dark:text-sky-100' : 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200'
        }`}
      >
        <span data-testid="answer-confidence-label">{explanation.label}</span>
        <span aria-hidden="true" className="text-xs transition-transform group-open:rotate-90">
          ›
        </span>
      </summary>
      <div data-testid="answer-confidence-explanation" className="mt-2 space-y-1 rounded-lg bg-slate-50 p-2 text-xs text-slate-600 dark:bg-slate-800/60 dark:text-slate-300">
        <p>{explanation.summary}</p>
        {explanation.notes.map((note) => (
          <p key={note}>{note}</p>
        ))}
        {report.reask !== undefined && (
          // The model's words as text, never as HTML.
          <p data-testid="answer-confidence-reask" className="break-words">
            Asked again: <q>{report.reask.question}</q> — answered <q>{report.reask.rawText.trim()}</q>
          </p>
        )}
      </div>
    </details>
  );
}

/**
 * Beside a detailed answer's chip that waits for the sentence model: gets it (a cached copy, else the download the
 * model panel's field names, with its progress there); the answer's confidence then fills in without a new answer.
 */
function GetSentenceModel() {
  const status = useEmbedderStore((state) => state.status);
  const url = useEmbedderStore((state) => state.url);
  const loading = status === 'loading';
  return (
    <button
      type="button"
      data-testid="get-sentence-model"
      className={smallButtonClass}
      disabled={loading || status === 'ready'}
      title={url === '' ? undefined : `From the cache, or downloaded from ${url}`}
      onClick={() => {
        document.getElementById('sentence-model')?.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
        void getEmbedder();
      }}
    >
      <Download aria-hidden="true" className="size-3.5" />
      {loading ? 'Getting the sentence model…' : 'Get the sentence model'}
    </button>
  );
}

import type { RunSummary } from '../../state/useRunStore.ts';

/** The verdict or distortion read from a finished answer, and its speed. */
export function AnswerSummary({ summary }: { summary: RunSummary }) {
  const { verdict, distortion, confidence, stats } = summary;
  // The confidence is the model's preference for the image it chose, once everything but A and B is set aside.
  const chosen = confidence === null ? null : verdict === 'B' ? 1 - confidence.confidenceA : confidence.confidenceA;
  return (
    <div className="space-y-2 border-t border-slate-100 pt-3 dark:border-slate-800">
      <div className="flex flex-wrap items-center gap-2">
        {verdict !== null && (
          <span data-testid="answer-verdict" className="rounded-full bg-emerald-100 px-3 py-1 text-sm font-semibold text-emerald-800 dark:bg-emerald-900/60 dark:text-emerald-200">
            Image {verdict} is better
          </span>
        )}
        {chosen !== null && (
          <span className="flex items-center gap-2 text-xs text-slate-600 dark:text-slate-300" data-testid="answer-confidence">
            <progress value={chosen} max={1} className="h-1.5 w-24 accent-emerald-600" aria-label="Confidence" />
            {/* Without a verdict read from the answer, the number is the model's preference for A. */}
            {Math.round(chosen * 100)}% {verdict === null ? 'for Image A (no verdict in the answer)' : 'confidence'}
          </span>
        )}
        {distortion !== null && (
          <span data-testid="answer-distortion" className="rounded-full bg-amber-100 px-3 py-1 text-sm font-medium text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">
            {distortion === 'None' ? 'No distortion' : distortion}
          </span>
        )}
      </div>
      <p className="text-xs text-slate-500 tabular-nums dark:text-slate-400" data-testid="answer-stats">
        {stats.tokensGenerated} tokens · {stats.decodeTokensPerSecond.toFixed(1)} tokens/s · first token after {Math.round(stats.timeToFirstTokenMs)} ms
      </p>
    </div>
  );
}

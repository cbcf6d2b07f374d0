import { MessageSquareText } from 'lucide-react';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { CopyButton } from '../history/CopyButton.tsx';
import { RandomWeightsBadge } from '../model/RandomWeightsBadge.tsx';
import { AnswerSummary } from './AnswerSummary.tsx';
import { AskedLine } from './AskedLine.tsx';

const STATUS_TEXT = { encoding: 'Encoding images…', running: 'Answering…', done: 'Done', stopped: 'Stopped', failed: 'Failed' } as const;

type AnswerState = Pick<ReturnType<typeof useRunStore.getState>, 'status' | 'text' | 'question' | 'asked' | 'summary' | 'error'> & {
  prefill?: { done: number; total: number } | null;
  /** The loaded model has random weights: its words are noise, said beside the answer. */
  randomWeights?: boolean;
};

export function AnswerPanel() {
  const { status, text, prefill, question, asked, summary, error } = useRunStore();
  const randomWeights = useModelStore((state) => state.randomWeights);
  return <AnswerView status={status} text={text} prefill={prefill} question={question} asked={asked} summary={summary} error={error} randomWeights={randomWeights} />;
}

/** The answer as the run store holds it: empty, streaming with a caret, or finished with its summary or error. */
export function AnswerView({ status, text, prefill = null, question, asked, summary, error, randomWeights = false }: AnswerState) {
  return (
    <section
      aria-labelledby="answer-heading"
      className="flex min-h-64 flex-col gap-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900"
    >
      <div className="flex items-center gap-2">
        <h2 id="answer-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
          Answer
        </h2>
        <span className="flex-1" />
        {(status === 'done' || status === 'stopped') && text !== '' && <CopyButton text={text} label="Copy the answer" testId="answer-copy" />}
        {status !== 'idle' && (
          <span data-testid="answer-status" data-status={status} className="text-xs font-medium text-slate-500 dark:text-slate-400">
            {STATUS_TEXT[status]}
          </span>
        )}
      </div>
      {status === 'idle' ? (
        <div className="flex flex-1 flex-col items-center justify-center gap-2 py-8 text-center" data-testid="answer-empty">
          <MessageSquareText aria-hidden="true" className="size-8 text-slate-300 dark:text-slate-600" />
          <p className="max-w-xs text-sm text-slate-500 dark:text-slate-400">
            Load a model, put images in place and press Run: the model's answer streams here.
          </p>
        </div>
      ) : (
        <>
          {randomWeights && (
            <p data-testid="answer-random-weights" className="text-xs text-amber-800 dark:text-amber-200">
              <RandomWeightsBadge /> The loaded model's weights are random: this text shows the pipeline runs, not a judgement.
            </p>
          )}
          <AskedLine question={question} asked={asked} />
          {/* Text only: the model's words never reach the DOM as HTML. The reserved height keeps the page still while it streams. */}
          <p className="min-h-32 break-words whitespace-pre-wrap text-slate-800 dark:text-slate-100" aria-live="polite" aria-busy={status === 'running'}>
            <span data-testid="answer-text">{text}</span>
            {status === 'running' && text === '' && prefill !== null && prefill.total > 0 && (
              <span data-testid="answer-prefill" className="text-sm text-slate-500 dark:text-slate-400">
                Reading the prompt: {prefill.done.toLocaleString('en')} of {prefill.total.toLocaleString('en')} positions
              </span>
            )}
            {status === 'running' && <span aria-hidden="true" data-testid="answer-caret" className="ml-0.5 inline-block h-4 w-1.5 animate-pulse bg-sky-500 align-text-bottom" />}
            {status === 'stopped' && <span className="ml-1 text-xs text-amber-600 dark:text-amber-400"> [stopped]</span>}
          </p>
          {summary !== null && <AnswerSummary summary={summary} />}
          {status === 'failed' && error !== null && (
            <div role="alert" data-testid="answer-error" data-code={error.code} className="rounded-lg bg-rose-50 p-2 text-sm text-rose-800 dark:bg-rose-950/50 dark:text-rose-200">
              <p>{error.message}</p>
              {error.hint !== undefined && <p className="text-rose-700 dark:text-rose-300">{error.hint}</p>}
            </div>
          )}
        </>
      )}
    </section>
  );
}

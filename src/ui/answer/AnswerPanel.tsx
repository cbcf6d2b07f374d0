import { MessageSquareText } from 'lucide-react';

export function AnswerPanel() {
  return (
    <section
      aria-labelledby="answer-heading"
      className="flex min-h-64 flex-col rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900"
    >
      <h2 id="answer-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        Answer
      </h2>
      <div className="flex flex-1 flex-col items-center justify-center gap-2 py-8 text-center" data-testid="answer-empty">
        <MessageSquareText aria-hidden="true" className="size-8 text-slate-300 dark:text-slate-600" />
        <p className="max-w-xs text-sm text-slate-500 dark:text-slate-400">
          No model is loaded yet. The model's answer will stream here once a model and images are in place.
        </p>
      </div>
    </section>
  );
}

import type { AskedInfo } from '../../state/useRunStore.ts';

/** The question actually asked, and how: full- or no-reference, which question of the set, the sampling seed. */
export function AskedLine({ question, asked }: { question: string | null; asked: AskedInfo | null }) {
  // Reserved while the images are encoded, so the answer does not move down when the question arrives.
  if (question === null) return <div className="min-h-10" aria-hidden="true" />;
  const parts: string[] = [];
  if (asked !== null) {
    parts.push(asked.hasReference ? 'Full-reference (with the Reference)' : 'No-reference');
    parts.push(asked.questionIndex === null ? 'your own question' : `question ${asked.questionIndex + 1} of the set`);
    parts.push(asked.seed === null ? 'greedy' : `sampled with seed ${asked.seed}`);
  }
  return (
    <div className="min-h-10 space-y-0.5">
      {parts.length > 0 && (
        <p className="text-xs font-medium text-slate-600 dark:text-slate-300" data-testid="answer-mode">
          {parts.join(' · ')}
        </p>
      )}
      <p className="text-xs text-slate-600 italic dark:text-slate-300" data-testid="answer-question">
        {question}
      </p>
    </div>
  );
}

import { useId } from 'react';
import { useRunStore } from '../../state/useRunStore.ts';

export const OWN_QUESTION_LIMIT = 500;

const fieldClass =
  'block w-full rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100';

/**
 * The question menu: the one of the task's set that the images pick (the default: the same images always get the
 * same question), a random one, one picked by number, or the user's own text.
 */
export function QuestionPicker({ questions }: { questions: string[] }) {
  const { questionPick, setQuestionPick, ownQuestion, setOwnQuestion } = useRunStore();
  const id = useId();
  // A pick made for another task's longer list falls back to the images' pick.
  const pick = typeof questionPick === 'number' && questionPick >= questions.length ? 'images' : questionPick;

  return (
    <div className="space-y-2">
      <div className="space-y-1 text-sm">
        <label htmlFor={`${id}-question`} className="block font-medium text-slate-700 dark:text-slate-200">
          Question
        </label>
        <select
          id={`${id}-question`}
          value={String(pick)}
          onChange={(event) => {
            const value = event.target.value;
            setQuestionPick(value === 'images' || value === 'random' || value === 'own' ? value : Number(value));
          }}
          className={`${fieldClass} truncate`}
        >
          <option value="images">Picked by the images (the same each run)</option>
          <option value="random">A random question of the set ({questions.length}), as in training</option>
          {questions.map((question, index) => (
            <option key={index} value={index}>
              {index + 1}. {question}
            </option>
          ))}
          <option value="own">Your own question…</option>
        </select>
      </div>
      {pick === 'own' && (
        <div className="space-y-1 text-sm">
          <label htmlFor={`${id}-own`} className="block font-medium text-slate-700 dark:text-slate-200">
            Your question
          </label>
          <textarea
            id={`${id}-own`}
            value={ownQuestion}
            onChange={(event) => setOwnQuestion(event.target.value)}
            rows={2}
            maxLength={OWN_QUESTION_LIMIT}
            placeholder="e.g. Is the sky in this image noisy?"
            className={`${fieldClass} resize-y`}
          />
        </div>
      )}
    </div>
  );
}

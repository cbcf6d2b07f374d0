import { Play, Square } from 'lucide-react';
import { SLOT_LABELS, taskInfo } from '../../core/tasks.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { useTaskStore } from '../../state/useTaskStore.ts';
import { taskQuestions } from './questions.ts';
import { runTask, stopTask } from './runTask.ts';

/** What the run needs that is missing, or null when it can run. */
function missingFor(modelReady: boolean, missingSlots: string[]): string | null {
  if (!modelReady) return 'Load a model first.';
  if (missingSlots.length > 0) return `This task needs ${missingSlots.join(' and ')}.`;
  return null;
}

/** Question, Run and Stop for the selected task, and what the run is missing. */
export function RunControls() {
  const task = useTaskStore((state) => state.task);
  const images = useImageStore((state) => state.images);
  const modelReady = useModelStore((state) => state.status === 'ready');
  const { status, questionPick, setQuestionPick, maxNewTokens, setMaxNewTokens } = useRunStore();
  const hasReference = images.reference !== null;
  const questions = taskQuestions(task, hasReference);
  const missingSlots = taskInfo(task).requiredSlots.filter((slot) => images[slot] === null).map((slot) => SLOT_LABELS[slot]);
  const missing = missingFor(modelReady, missingSlots);
  const busy = status === 'encoding' || status === 'running';
  // A pick made for another task's longer list falls back to a random question.
  const pick = questionPick !== 'random' && questionPick < questions.length ? questionPick : 'random';

  return (
    <section aria-label="Run" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900">
      <label className="block space-y-1 text-sm">
        <span className="font-medium text-slate-700 dark:text-slate-200">Question</span>
        <select
          value={String(pick)}
          onChange={(event) => setQuestionPick(event.target.value === 'random' ? 'random' : Number(event.target.value))}
          className="block w-full truncate rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-sky-500 dark:border-slate-600 dark:bg-slate-800"
        >
          <option value="random">A random question of the set</option>
          {questions.map((question, index) => (
            <option key={index} value={index}>
              {index + 1}. {question}
            </option>
          ))}
        </select>
      </label>
      <div className="flex flex-wrap items-center gap-3">
        {busy ? (
          <button
            type="button"
            onClick={stopTask}
            disabled={status !== 'running'}
            className="inline-flex items-center gap-2 rounded-lg bg-rose-600 px-4 py-2 text-sm font-semibold text-white hover:bg-rose-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-rose-500 disabled:opacity-60"
          >
            <Square aria-hidden="true" className="size-4" />
            Stop
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void runTask(task)}
            disabled={missing !== null}
            className="inline-flex items-center gap-2 rounded-lg bg-sky-600 px-4 py-2 text-sm font-semibold text-white hover:bg-sky-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-50"
          >
            <Play aria-hidden="true" className="size-4" />
            Run
          </button>
        )}
        <label className="flex items-center gap-2 text-sm text-slate-600 dark:text-slate-300">
          Max new tokens
          <input
            type="number"
            min={1}
            max={4096}
            value={maxNewTokens}
            onChange={(event) => {
              const value = Math.round(Number(event.target.value));
              if (value >= 1) setMaxNewTokens(value);
            }}
            className="w-20 rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm tabular-nums dark:border-slate-600 dark:bg-slate-800"
          />
        </label>
      </div>
      <p className="text-sm text-slate-500 dark:text-slate-400" data-testid="run-hint">
        {missing ?? (hasReference ? 'Full-reference: the model also sees the Reference.' : 'No-reference: no Reference image is given.')}
      </p>
    </section>
  );
}

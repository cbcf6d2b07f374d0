import { Play, RefreshCw, Square } from 'lucide-react';
import { SLOT_LABELS, taskInfo } from '../../core/tasks.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { useTaskStore } from '../../state/useTaskStore.ts';
import { GenerationSettings } from './GenerationSettings.tsx';
import { readGenerationForm } from '../../core/generation/generationForm.ts';
import { QuestionPicker } from './QuestionPicker.tsx';
import { taskQuestions } from '../../core/engine/question.ts';
import { regenerate, runTask, stopTask } from './runTask.ts';

const primaryClass =
  'inline-flex items-center gap-2 rounded-lg px-4 py-2 text-sm font-semibold text-white focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-50';
const secondaryClass =
  'inline-flex items-center gap-2 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700';

interface Blockers {
  modelReady: boolean;
  missingSlots: string[];
  ownQuestionEmpty: boolean;
  settingsError: string | null;
}

/** What the run needs that is missing, or null when it can run. */
function missingFor({ modelReady, missingSlots, ownQuestionEmpty, settingsError }: Blockers): string | null {
  if (!modelReady) return 'Load a model first.';
  if (missingSlots.length > 0) return `This task needs ${missingSlots.join(' and ')}.`;
  if (ownQuestionEmpty) return 'Type your question, or pick one of the set.';
  if (settingsError !== null) return `Check the generation settings: ${settingsError}`;
  return null;
}

/** Question, Run / Stop / Regenerate and the generation settings for the selected task, and what the run is missing. */
export function RunControls() {
  const task = useTaskStore((state) => state.task);
  const images = useImageStore((state) => state.images);
  // A model whose worker was lost counts: the run reopens it first.
  const modelReady = useModelStore((state) => state.status === 'ready' || state.status === 'lost');
  const { status, questionPick, ownQuestion, form, lastRun } = useRunStore();
  const hasReference = images.reference !== null;
  const questions = taskQuestions(task, hasReference);
  const read = readGenerationForm(form);
  const missing = missingFor({
    modelReady,
    missingSlots: taskInfo(task).requiredSlots.filter((slot) => images[slot] === null).map((slot) => SLOT_LABELS[slot]),
    ownQuestionEmpty: questionPick === 'own' && ownQuestion.trim() === '',
    settingsError: read.errors === null ? null : Object.values(read.errors)[0]!,
  });
  const busy = status === 'encoding' || status === 'running';

  return (
    <section aria-label="Run" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900">
      <QuestionPicker questions={questions} />
      <GenerationSettings errors={read.errors ?? {}} />
      <div className="flex flex-wrap items-center gap-3">
        {busy ? (
          <button
            type="button"
            onClick={stopTask}
            disabled={status !== 'running'}
            className={`${primaryClass} bg-rose-600 hover:bg-rose-700 focus-visible:outline-rose-500`}
          >
            <Square aria-hidden="true" className="size-4" />
            Stop
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void runTask(task, read.settings!)}
            disabled={missing !== null}
            className={`${primaryClass} bg-sky-700 hover:bg-sky-800 focus-visible:outline-sky-500`}
          >
            <Play aria-hidden="true" className="size-4" />
            Run
          </button>
        )}
        {lastRun !== null && (
          <button
            type="button"
            onClick={() => void regenerate()}
            // The last run's images and settings are kept; only a ready model and an idle engine are needed.
            disabled={busy || !modelReady}
            className={secondaryClass}
            title={lastRun.settings.sampling?.temperature === undefined ? 'Same question, images and settings' : 'Same question, images and settings, a new seed'}
          >
            <RefreshCw aria-hidden="true" className="size-4" />
            Regenerate
          </button>
        )}
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="run-hint" aria-live="polite">
        {missing ?? (hasReference ? 'Full-reference: the model also sees the Reference.' : 'No-reference: no Reference image is given.')}
      </p>
    </section>
  );
}

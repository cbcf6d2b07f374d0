import { TASKS } from '../../core/tasks.ts';
import { useTaskStore } from '../../state/useTaskStore.ts';

const LABEL_CLASS =
  'flex cursor-pointer gap-3 rounded-xl border border-slate-200 bg-white p-3 has-[:checked]:border-sky-500 has-[:checked]:ring-1 has-[:checked]:ring-sky-500 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-sky-500 dark:border-slate-700 dark:bg-slate-900';

/** The four tasks, and the Rank and Methods modes beside them. */
export function TaskPicker() {
  const task = useTaskStore((state) => state.task);
  const setTask = useTaskStore((state) => state.setTask);
  const mode = useTaskStore((state) => state.mode);
  const setMode = useTaskStore((state) => state.setMode);
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">Task</legend>
      <div className="grid gap-2 sm:grid-cols-2">
        {TASKS.map((candidate) => (
          <label key={candidate.id} className={LABEL_CLASS}>
            <input
              type="radio"
              name="task"
              value={candidate.id}
              checked={mode === 'task' && task === candidate.id}
              onChange={() => setTask(candidate.id)}
              className="mt-1 accent-sky-600"
            />
            <span>
              <span className="block font-medium text-slate-800 dark:text-slate-100">{candidate.label}</span>
              <span className="block text-xs text-slate-500 dark:text-slate-400">{candidate.summary}</span>
            </span>
          </label>
        ))}
        <label className={LABEL_CLASS}>
          <input type="radio" name="task" value="rank" checked={mode === 'rank'} onChange={() => setMode('rank')} className="mt-1 accent-sky-600" />
          <span>
            <span className="block font-medium text-slate-800 dark:text-slate-100">Rank</span>
            <span className="block text-xs text-slate-500 dark:text-slate-400">Orders 2 to 64 images of one reference by comparing them in pairs.</span>
          </span>
        </label>
        <label className={LABEL_CLASS}>
          <input type="radio" name="task" value="methods" checked={mode === 'methods'} onChange={() => setMode('methods')} className="mt-1 accent-sky-600" />
          <span>
            <span className="block font-medium text-slate-800 dark:text-slate-100">Methods</span>
            <span className="block text-xs text-slate-500 dark:text-slate-400">Compares 2 to 16 methods’ outputs on a test set: one score per method, how sure, and why.</span>
          </span>
        </label>
      </div>
    </fieldset>
  );
}

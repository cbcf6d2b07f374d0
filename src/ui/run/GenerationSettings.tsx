import { ChevronRight, RotateCcw } from 'lucide-react';
import { useId } from 'react';
import { useRunStore } from '../../state/useRunStore.ts';
import { DEFAULT_FORM, describeForm, type FormErrors, type FormField } from '../../core/generation/generationForm.ts';

const inputClass =
  'w-24 rounded-lg border bg-white px-2 py-1 text-sm tabular-nums text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-500 dark:bg-slate-800 dark:text-slate-100';

interface FieldProps {
  field: FormField;
  label: string;
  help: string;
  errors: FormErrors;
  inputMode: 'decimal' | 'numeric';
}

/** One numeric setting with its help, and its message when the value is refused. */
function Field({ field, label, help, errors, inputMode }: FieldProps) {
  const value = useRunStore((state) => state.form[field]);
  const setForm = useRunStore((state) => state.setForm);
  const id = useId();
  const error = errors[field];
  return (
    <div className="space-y-0.5">
      <div className="flex items-center justify-between gap-2">
        <label htmlFor={id} className="text-sm text-slate-700 dark:text-slate-200">
          {label}
        </label>
        <input
          id={id}
          type="text"
          inputMode={inputMode}
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(event) => setForm({ [field]: event.target.value })}
          aria-invalid={error !== undefined}
          aria-describedby={`${id}-help`}
          className={`${inputClass} ${error === undefined ? 'border-slate-300 dark:border-slate-600' : 'border-rose-500 dark:border-rose-400'}`}
        />
      </div>
      <p id={`${id}-help`} className={`text-xs ${error === undefined ? 'text-slate-500 dark:text-slate-400' : 'text-rose-700 dark:text-rose-300'}`}>
        {error ?? help}
      </p>
    </div>
  );
}

/** Decoding settings, collapsed by default: the faithful greedy run needs none of them. */
export function GenerationSettings({ errors }: { errors: FormErrors }) {
  const form = useRunStore((state) => state.form);
  const setForm = useRunStore((state) => state.setForm);
  const sampling = form.mode === 'sampling';
  const invalid = Object.keys(errors).length > 0;

  return (
    <details className="group rounded-lg border border-slate-200 dark:border-slate-700">
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-lg px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-sky-500 [&::-webkit-details-marker]:hidden">
        <ChevronRight aria-hidden="true" className="size-4 shrink-0 text-slate-500 transition-transform group-open:rotate-90" />
        <span className="shrink-0 font-medium text-slate-700 dark:text-slate-200">Generation settings</span>
        <span className={`min-w-0 truncate text-xs ${invalid ? 'text-rose-700 dark:text-rose-300' : 'text-slate-500 dark:text-slate-400'}`} data-testid="settings-summary">
          {describeForm(form)}
        </span>
      </summary>
      <div className="space-y-3 border-t border-slate-200 px-3 py-3 dark:border-slate-700">
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">Decoding</legend>
          <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm text-slate-700 dark:text-slate-200">
            <label className="flex items-center gap-2">
              <input type="radio" name="decoding" checked={!sampling} onChange={() => setForm({ mode: 'greedy' })} className="accent-sky-600" />
              Greedy (faithful, repeatable)
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="decoding" checked={sampling} onChange={() => setForm({ mode: 'sampling' })} className="accent-sky-600" />
              Sampling
            </label>
          </div>
        </fieldset>
        {sampling && (
          <div className="space-y-2 border-l-2 border-sky-200 pl-3 dark:border-sky-800">
            <Field field="temperature" label="Temperature" help="Above 0; higher gives more varied answers." errors={errors} inputMode="decimal" />
            <Field field="topP" label="Top-p" help="Sample from the smallest set of tokens with this much probability (0–1]." errors={errors} inputMode="decimal" />
            <Field field="topK" label="Top-k" help="Sample from the k most likely tokens; 0 = off." errors={errors} inputMode="numeric" />
            <Field field="seed" label="Seed" help="Empty: a new seed each run (shown with the answer)." errors={errors} inputMode="numeric" />
          </div>
        )}
        <Field field="maxNewTokens" label="Max new tokens" help="The answer stops here if the model has not ended it." errors={errors} inputMode="numeric" />
        <Field field="repetitionPenalty" label="Repetition penalty" help="Above 1 discourages repeated tokens; 1 = off." errors={errors} inputMode="decimal" />
        <Field field="noRepeatNgramSize" label="No-repeat n-gram size" help="Never repeat a run of this many tokens; 0 = off." errors={errors} inputMode="numeric" />
        <label className="flex items-center gap-2 text-sm text-slate-700 dark:text-slate-200">
          <input type="checkbox" checked={form.loopGuard} onChange={(event) => setForm({ loopGuard: event.target.checked })} className="accent-sky-600" />
          Stop an answer that repeats itself in a loop
        </label>
        <button
          type="button"
          onClick={() => setForm(DEFAULT_FORM)}
          className="inline-flex items-center gap-1.5 rounded-lg px-2 py-1 text-xs font-medium text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-slate-300 dark:hover:bg-slate-800"
        >
          <RotateCcw aria-hidden="true" className="size-3.5" />
          Reset to the faithful defaults
        </button>
      </div>
    </details>
  );
}

import { Check, Copy, X } from 'lucide-react';
import { useEffect, useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

const FEEDBACK_MS = 2000;

/** Copies text to the clipboard and says, for two seconds, whether it worked. */
export function CopyButton({ text, label, testId = 'history-copy' }: { text: string; label: string; testId?: string }) {
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), FEEDBACK_MS);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = () => {
    // The clipboard can refuse (no permission, page not focused): the button says so instead of pretending.
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  const Icon = state === 'copied' ? Check : state === 'failed' ? X : Copy;
  return (
    <button
      type="button"
      onClick={copy}
      disabled={text === ''}
      aria-label={label}
      title={label}
      data-testid={testId}
      data-state={state}
      className={`${ACTION_CLASS} ${state === 'copied' ? 'text-emerald-700 dark:text-emerald-300' : state === 'failed' ? 'text-rose-700 dark:text-rose-300' : ''}`}
    >
      <Icon aria-hidden="true" className="size-3.5" />
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}</span>
    </button>
  );
}

/** The small buttons of a history entry. */
export const ACTION_CLASS =
  'inline-flex items-center gap-1 rounded-md border border-slate-200 px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-100 ' +
  'focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-sky-500 disabled:cursor-not-allowed disabled:opacity-50 ' +
  'dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800';

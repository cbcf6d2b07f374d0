import { X } from 'lucide-react';
import { useErrorStore } from '../../state/useErrorStore.ts';

/** Top-level errors: what went wrong, what to do, and a way to dismiss. */
export function ErrorBanner() {
  const errors = useErrorStore((state) => state.errors);
  const dismiss = useErrorStore((state) => state.dismiss);
  if (errors.length === 0) return null;
  return (
    <div role="alert" className="space-y-2">
      {errors.map((error) => (
        <div
          key={error.id}
          data-testid="error-banner"
          data-code={error.code}
          className="flex items-start gap-3 rounded-xl border border-rose-200 bg-rose-50 p-4 text-sm text-rose-900 dark:border-rose-900 dark:bg-rose-950/40 dark:text-rose-100"
        >
          <div className="min-w-0 flex-1">
            <p className="font-semibold">{error.message}</p>
            {error.hint !== undefined && <p className="mt-1">{error.hint}</p>}
            <p className="mt-1 font-mono text-xs opacity-70">{error.code}</p>
          </div>
          <button
            type="button"
            onClick={() => dismiss(error.id)}
            aria-label="Dismiss error"
            className="rounded p-1 hover:bg-rose-100 focus-visible:outline-2 focus-visible:outline-rose-500 dark:hover:bg-rose-900"
          >
            <X aria-hidden="true" className="size-4" />
          </button>
        </div>
      ))}
    </div>
  );
}

/// <reference types="vite-plugin-pwa/react" />
import { RefreshCw } from 'lucide-react';
import { useRegisterSW } from 'virtual:pwa-register/react';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { whenIdle } from './whenIdle.ts';

/** How often an open page asks the server for a new version (a page may stay open for days). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

let reloading = false;

/** Reloads into the version now in control, once the page is idle; once, however many signals say so. */
function reloadWhenIdle(): void {
  whenIdle(() => {
    if (reloading) return;
    reloading = true;
    window.location.reload();
  });
}

/**
 * Registers the service worker and announces a new version of the app. The new version takes over only when
 * the user asks, and never under an answer being written or a model being loaded: the button waits for them.
 * When another tab swapped the version in, this page reloads once it is idle.
 */
export function UpdatePrompt() {
  const running = useRunStore((state) => state.status === 'encoding' || state.status === 'running');
  const loading = useModelStore((state) => state.status === 'loading');
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    updateServiceWorker,
  } = useRegisterSW({
    onNeedReload: reloadWhenIdle,
    // From the moment a new version waits, the page reloads into it when it takes over (from this page's button
    // or another tab's). Workbox's own signal (onNeedReload) reaches only pages that had a service worker when
    // they opened, not one opened at the first install that found an update later.
    onNeedRefresh: () => navigator.serviceWorker.addEventListener('controllerchange', reloadWhenIdle, { once: true }),
    onRegisteredSW: (_url, registration) => {
      if (registration !== undefined) setInterval(() => void registration.update().catch(() => undefined), UPDATE_CHECK_MS);
    },
    onRegisterError: (error: unknown) => console.warn('The service worker did not register: the app will not open offline.', error),
  });
  if (!needRefresh) return null;
  const busy = running || loading;
  return (
    <div
      role="status"
      data-testid="update-prompt"
      className="flex flex-wrap items-center gap-x-3 gap-y-2 rounded-xl border border-sky-200 bg-sky-50 px-4 py-2 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950/60 dark:text-sky-100"
    >
      <p className="min-w-0 flex-1">
        A new version of DepictQA Web is ready.
        {busy && <span data-testid="update-waits"> {running ? 'Reload once the answer is written.' : 'Reload once the model has loaded.'}</span>}
      </p>
      <button
        type="button"
        disabled={busy}
        onClick={() => void updateServiceWorker()}
        className="inline-flex items-center gap-2 rounded-lg border border-sky-700 bg-sky-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500 disabled:opacity-50 dark:border-sky-500"
      >
        <RefreshCw aria-hidden="true" className="size-4" />
        Reload to update
      </button>
      <button
        type="button"
        onClick={() => setNeedRefresh(false)}
        className="rounded-lg px-2 py-1.5 text-sm text-sky-800 hover:bg-sky-100 focus-visible:outline-2 focus-visible:outline-sky-500 dark:text-sky-200 dark:hover:bg-sky-900"
      >
        Later
      </button>
    </div>
  );
}

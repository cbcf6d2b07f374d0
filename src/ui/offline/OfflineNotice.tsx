import { WifiOff } from 'lucide-react';
import { useSyncExternalStore } from 'react';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('online', onChange);
  window.addEventListener('offline', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    window.removeEventListener('offline', onChange);
  };
}

/** Whether the browser says it has no network. */
export function useOffline(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => !navigator.onLine,
    () => false,
  );
}

/** Says what works without a network: everything but downloading a model. */
export function OfflineNotice() {
  const offline = useOffline();
  if (!offline) return null;
  return (
    <p
      role="status"
      data-testid="offline-notice"
      className="flex items-center gap-2 rounded-xl border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-100"
    >
      <WifiOff aria-hidden="true" className="size-4 shrink-0" />
      Offline. Models cached in this browser open and answer as usual; loading one from a URL needs the network.
    </p>
  );
}

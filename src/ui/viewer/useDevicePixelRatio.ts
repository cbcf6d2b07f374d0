import { useSyncExternalStore } from 'react';

/** window.devicePixelRatio, updated when the page is zoomed or moved to another screen. */
export function useDevicePixelRatio(): number {
  return useSyncExternalStore(subscribe, () => window.devicePixelRatio || 1);
}

function subscribe(onChange: () => void): () => void {
  // A resolution query matches only the current ratio, so it fires exactly when the ratio changes; then re-arm.
  let query: MediaQueryList | undefined;
  const arm = () => {
    query?.removeEventListener('change', handle);
    query = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    query.addEventListener('change', handle);
  };
  const handle = () => {
    arm();
    onChange();
  };
  arm();
  return () => query?.removeEventListener('change', handle);
}

import { describeCapabilities, type Capabilities } from '../../core/capabilities.ts';
import { NoteList } from './NoteList.tsx';

/** A page-level notice, shown only when the model cannot use a real GPU here. */
export function CapabilityNotice({ capabilities }: { capabilities: Capabilities }) {
  // The first note is about the GPU itself; the others are details for the badge's panel.
  const main = describeCapabilities(capabilities)[0];
  if (main === undefined || main.severity === 'ok') return null;
  const tone =
    main.severity === 'error'
      ? 'border-rose-200 bg-rose-50 dark:border-rose-900 dark:bg-rose-950/40'
      : 'border-amber-200 bg-amber-50 dark:border-amber-900 dark:bg-amber-950/40';
  return (
    <section aria-label="GPU support" data-testid="capability-notice" className={`rounded-xl border p-4 text-sm ${tone}`}>
      <NoteList notes={[main]} />
    </section>
  );
}

import { Check, LoaderCircle, X } from 'lucide-react';
import { agreementSentence, metricAgreement, type Agreement } from '../../core/metrics/agreement.ts';
import type { Verdict } from '../../core/generation/verdict.ts';
import { METRIC_ROWS, preferred } from '../../core/metrics/metricRows.ts';
import { useImageStore } from '../../state/useImageStore.ts';
import { useMetricsStore, type ComparedSlot, type MetricsEntry, type MetricValues } from '../../state/useMetricsStore.ts';
import { useClassicMetrics } from './useClassicMetrics.ts';
import { useModelVerdict } from './useModelVerdict.ts';

const SLOT_NAME: Record<ComparedSlot, string> = { a: 'A', b: 'B' };

/** PSNR, SSIM, MS-SSIM and GMSD of A and B against the reference, with which image each metric prefers. */
export function MetricsPanel() {
  useClassicMetrics();
  const verdict = useModelVerdict();
  const hasReference = useImageStore((state) => state.images.reference !== null);
  const entries = useMetricsStore((state) => state.entries);
  const slots = (['a', 'b'] as const).filter((slot) => entries[slot] !== null);

  return (
    <section aria-labelledby="metrics-heading" data-testid="metrics-panel" className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-700 dark:bg-slate-900">
      <h2 id="metrics-heading" className="text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
        Classic metrics
      </h2>
      {slots.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500 dark:text-slate-400">
          {hasReference
            ? 'Add image A (and B) to compare them with the reference, pixel by pixel.'
            : 'Add a reference and image A (and B) to see PSNR, SSIM, MS-SSIM and GMSD here. They need no model.'}
        </p>
      ) : (
        <MetricsBody entries={entries} slots={slots} verdict={verdict} />
      )}
    </section>
  );
}

interface BodyProps {
  entries: Record<ComparedSlot, MetricsEntry | null>;
  slots: ComparedSlot[];
  /** The model's verdict on these very images, or null. */
  verdict: Verdict | null;
}

export function MetricsBody({ entries, slots, verdict }: BodyProps) {
  const done = (slot: ComparedSlot): MetricValues | null => {
    const entry = entries[slot];
    return entry?.status === 'done' ? entry.values : null;
  };
  const notes = slots.flatMap((slot) => {
    const entry = entries[slot]!;
    if (entry.status === 'size-mismatch') {
      return [
        `Image ${SLOT_NAME[slot]} is ${entry.size.join('×')} but the reference is ${entry.referenceSize.join('×')}: ` +
          'these metrics compare aligned pixels, so they are not computed. The model does not need aligned images.',
      ];
    }
    if (entry.status === 'error') return [`Image ${SLOT_NAME[slot]}: ${entry.error.message} ${entry.error.hint ?? ''}`];
    return [];
  });
  const computing = slots.some((slot) => entries[slot]?.status === 'computing');
  const withValues = slots.filter((slot) => done(slot) !== null);
  const both = withValues.length === 2;
  const agreement = both && verdict !== null ? metricAgreement(verdict, done('a')!, done('b')!) : null;
  const sentence = agreement === null ? null : agreementSentence(agreement);

  return (
    <div className="mt-3 space-y-2 text-sm">
      {computing && (
        <p className="flex items-center gap-2 text-slate-500 dark:text-slate-400">
          <LoaderCircle aria-hidden="true" className="size-4 animate-spin" /> Computing…
        </p>
      )}
      {agreement !== null && (
        <p className="text-slate-700 dark:text-slate-200" data-testid="metrics-agreement">
          <span className="font-medium">Model: Image {agreement.verdict} is better.</span> {sentence ?? 'No metric prefers either image.'}
        </p>
      )}
      {withValues.length > 0 && (
        <table className="w-full tabular-nums" data-testid="metrics-table">
          <thead>
            <tr className="text-left text-xs text-slate-500 dark:text-slate-400">
              <th scope="col" className="py-1 font-medium">Metric</th>
              {withValues.map((slot) => (
                <th key={slot} scope="col" className="py-1 text-right font-medium">Image {SLOT_NAME[slot]}</th>
              ))}
              {both && <th scope="col" className="py-1 text-right font-medium">Prefers</th>}
              {agreement !== null && <th scope="col" className="py-1 text-right font-medium">Model</th>}
            </tr>
          </thead>
          <tbody>
            {METRIC_ROWS.map((row) => {
              const choice = both ? preferred(row, done('a'), done('b')) : null;
              return (
                <tr key={row.id} className="border-t border-slate-100 dark:border-slate-800" data-metric={row.id}>
                  <th scope="row" className="py-1 text-left font-normal text-slate-700 dark:text-slate-200" title={row.description}>
                    {row.label} <span className="text-xs text-slate-400">{row.higherIsBetter ? '↑' : '↓'}</span>
                  </th>
                  {withValues.map((slot) => {
                    const value = row.value(done(slot)!);
                    return (
                      <td key={slot} className="py-1 text-right text-slate-900 dark:text-slate-100">
                        {value === null ? <span className="text-slate-500 dark:text-slate-400" title={done(slot)!.unavailable[row.id as 'psnrRgb' | 'msSsim']}>n/a</span> : row.format(value)}
                      </td>
                    );
                  })}
                  {both && (
                    <td className="py-1 text-right font-medium text-slate-700 dark:text-slate-200" data-prefers={choice ?? ''}>
                      {choice === null ? '–' : choice === 'tie' ? 'tie' : choice}
                    </td>
                  )}
                  {agreement !== null && <AgreementCell agreement={agreement.rows.find((candidate) => candidate.id === row.id)!.agreement} />}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {notes.map((note) => (
        <p key={note} className="text-amber-700 dark:text-amber-300" data-testid="metrics-note">{note}</p>
      ))}
    </div>
  );
}

const AGREEMENT_TEXT: Record<Agreement, string> = { agrees: 'agrees', disagrees: 'disagrees', tie: 'tie', unavailable: '–' };

function AgreementCell({ agreement }: { agreement: Agreement }) {
  const colour =
    agreement === 'agrees' ? 'text-emerald-700 dark:text-emerald-300' : agreement === 'disagrees' ? 'text-rose-700 dark:text-rose-300' : 'text-slate-500 dark:text-slate-400';
  return (
    <td className={`py-1 pl-2 text-right whitespace-nowrap ${colour}`} data-agreement={agreement}>
      <span className="inline-flex items-center gap-1">
        {agreement === 'agrees' && <Check aria-hidden="true" className="size-3.5" />}
        {agreement === 'disagrees' && <X aria-hidden="true" className="size-3.5" />}
        {/* A narrow screen keeps the mark only; the word stays for screen readers. */}
        <span className={agreement === 'agrees' || agreement === 'disagrees' ? 'max-sm:sr-only' : ''}>{AGREEMENT_TEXT[agreement]}</span>
      </span>
    </td>
  );
}

import { FileSpreadsheet } from 'lucide-react';
import { useRef, useState } from 'react';
import type { RankResult } from '../../core/engine/rank.ts';
import { serializeError, type SerializedError } from '../../core/errors.ts';
import { AGREEMENT_METRICS, metricAgreement, mosAgreement, parseMosCsv, type MosAgreement } from '../../core/ranking/agreement.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { HEADING_CLASS, SECONDARY_CLASS } from './styles.ts';
import { useCandidateMetrics } from './useCandidateMetrics.ts';
import { FileInput } from '../layout/FileInput.tsx';

const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');

interface Props {
  result: RankResult;
  reference: SlotImage | null;
  candidates: readonly SlotImage[];
}

/** The ranking against the classic metrics (with a reference) and against the user's MOS (a CSV). */
export function RankAgreement({ result, reference, candidates }: Props) {
  const scores = new Array<number>(candidates.length).fill(NaN);
  for (const entry of result.ranking) scores[entry.index] = entry.score;
  const metrics = useCandidateMetrics(reference, candidates);
  const complete = metrics !== null && metrics.done === candidates.length;
  const agreement = complete ? metricAgreement(scores, metrics.values) : null;

  return (
    <section aria-labelledby="rank-agreement-heading" className="space-y-3" data-testid="rank-agreement">
      <h3 id="rank-agreement-heading" className={HEADING_CLASS}>
        Agreement
      </h3>
      {reference === null ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">The classic metrics need a reference.</p>
      ) : agreement === null ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          Computing PSNR, SSIM, MS-SSIM and GMSD: {metrics?.done ?? 0} of {candidates.length}…
        </p>
      ) : (
        <table className="w-full text-sm tabular-nums" data-testid="rank-metric-agreement">
          <caption className="text-left text-xs text-slate-500 dark:text-slate-400">Rank correlation of the scores with each metric (GMSD negated: lower is better there)</caption>
          <thead>
            <tr className="border-b border-slate-200 text-left text-xs text-slate-500 dark:border-slate-700 dark:text-slate-400">
              <th scope="col" className="py-1">Metric</th>
              <th scope="col" className="py-1 text-right">SRCC</th>
              <th scope="col" className="py-1 text-right">KRCC</th>
              <th scope="col" className="py-1 text-right">Images</th>
            </tr>
          </thead>
          <tbody>
            {agreement.map((row) => (
              <tr key={row.metric} className="border-b border-slate-100 dark:border-slate-800" data-testid={`agreement-${row.metric}`}>
                <th scope="row" className="py-1 text-left font-medium">{AGREEMENT_METRICS.find((m) => m.id === row.metric)!.label}</th>
                <td className="py-1 text-right">{fixed(row.srcc)}</td>
                <td className="py-1 text-right">{fixed(row.krcc)}</td>
                <td className="py-1 text-right">{row.n}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {metrics !== null && metrics.problems.length > 0 && (
        <ul className="text-xs text-amber-800 dark:text-amber-200">
          {metrics.problems.map((problem) => (
            <li key={problem}>No metrics for {problem}</li>
          ))}
        </ul>
      )}
      <MosAgreementView scores={scores} names={candidates.map((image) => image.name)} />
    </section>
  );
}

/** The user's MOS (a CSV of filename,mos) against the scores: SRCC and PLCC after the 4-parameter logistic fit. */
function MosAgreementView({ scores, names }: { scores: readonly number[]; names: readonly string[] }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [outcome, setOutcome] = useState<{ file: string; agreement: MosAgreement; ignored: number } | { file: string; error: SerializedError } | null>(null);
  const read = async (file: File) => {
    try {
      const table = parseMosCsv(await file.text(), names);
      setOutcome({ file: file.name, agreement: mosAgreement(scores, table.mos), ignored: table.ignored.length });
    } catch (error) {
      setOutcome({ file: file.name, error: serializeError(error) });
    }
  };
  return (
    <div
      className="space-y-2"
      onDragOver={(event) => event.preventDefault()}
      onDrop={(event) => {
        event.preventDefault();
        event.stopPropagation();
        const file = event.dataTransfer.files[0];
        if (file !== undefined) void read(file);
      }}
      data-testid="rank-mos"
    >
      <div className="flex flex-wrap items-center gap-2">
        <button type="button" onClick={() => inputRef.current?.click()} className={SECONDARY_CLASS}>
          <FileSpreadsheet aria-hidden="true" className="size-4" />
          MOS from a CSV…
        </button>
        <span className="text-xs text-slate-500 dark:text-slate-400">Drop or choose a file of “filename,mos” rows.</span>
      </div>
      <FileInput inputRef={inputRef} testId="rank-mos-input" accept=".csv,text/csv" onFiles={([file]) => void read(file!)} />
      {outcome !== null && 'error' in outcome && (
        <div role="alert" className="rounded-lg border border-rose-200 bg-rose-50 p-2 text-sm text-rose-900 dark:border-rose-900 dark:bg-rose-950/40 dark:text-rose-100" data-testid="rank-mos-error">
          <p>
            {outcome.file}: {outcome.error.message}
          </p>
          {outcome.error.hint !== undefined && <p className="mt-1 text-rose-800 dark:text-rose-200">{outcome.error.hint}</p>}
        </div>
      )}
      {outcome !== null && 'agreement' in outcome && (
        <p className="text-sm tabular-nums" data-testid="rank-mos-result">
          Against the MOS of {outcome.file} ({outcome.agreement.n} images{outcome.ignored > 0 ? `; ${outcome.ignored} rows of other files ignored` : ''}): SRCC{' '}
          <strong>{fixed(outcome.agreement.srcc)}</strong>, PLCC <strong>{fixed(outcome.agreement.plcc)}</strong>
          {outcome.agreement.betas === null ? ' (no logistic fit: too few images or equal scores)' : ' after the 4-parameter logistic fit'}.
        </p>
      )}
    </div>
  );
}

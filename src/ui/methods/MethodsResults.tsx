import { Download, MessageSquareText } from 'lucide-react';
import { useState } from 'react';
import { METHOD_METRICS, type MethodMetric } from '../../core/methods/methodStats.ts';
import { formatScore, imagesCsv, latexTable, markdownReport, scoresSvg, winRateSvg, type MethodsReport } from '../../core/methods/methodsReport.ts';
import type { MethodsMatch } from '../../state/useMethodsStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { useRunStore } from '../../state/useRunStore.ts';
import { AnswerPanel } from '../answer/AnswerPanel.tsx';
import { downloadText, fileStamp } from '../history/download.ts';
import { HEADING_CLASS, SECONDARY_CLASS } from '../rank/styles.ts';
import { explainOutputs } from './methodsActions.ts';
import { ScrollTable } from '../layout/ScrollTable.tsx';

const METRIC_LABEL: Record<MethodMetric, string> = { psnr: 'PSNR', ssim: 'SSIM', msssim: 'MS-SSIM', gmsd: 'GMSD' };
const DIGITS: Record<MethodMetric, number> = { psnr: 2, ssim: 4, msssim: 4, gmsd: 4 };
const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(0)}%`);
const fixed = (value: number | null, digits: number) => (value === null || !Number.isFinite(value) ? '—' : value.toFixed(digits));

/** Downloads the result as the CLI writes it: summary.json, report.md, table.tex, images.csv, win-rates.svg. */
function exportReport(kind: 'json' | 'md' | 'tex' | 'csv' | 'svg' | 'scores', report: MethodsReport, match: MethodsMatch): void {
  const base = `depictqa-methods-${fileStamp(Date.now())}`;
  if (kind === 'json') downloadText(`${base}.json`, `${JSON.stringify(report, null, 1)}\n`, 'application/json');
  else if (kind === 'md') downloadText(`${base}.md`, markdownReport(report), 'text/markdown');
  else if (kind === 'tex') downloadText(`${base}.tex`, latexTable(report), 'application/x-tex');
  else if (kind === 'csv') downloadText(`${base}-images.csv`, imagesCsv(report, match.metrics), 'text/csv');
  else if (kind === 'svg') downloadText(`${base}-win-rates.svg`, winRateSvg(report), 'image/svg+xml');
  else downloadText(`${base}-scores.svg`, scoresSvg(report), 'image/svg+xml');
}

interface Pair {
  id: string;
  better: string;
  worse: string;
}

/** The method-level result: scores with intervals, the win-rate heat map, the disagreements with Explain, the exports. */
export function MethodsResults({ report, match, stopped }: { report: MethodsReport; match: MethodsMatch; stopped: boolean }) {
  const [pair, setPair] = useState<Pair | null>(null);
  const best = report.methods[0]?.name ?? '';
  /** A win-rate cell opens the image on which the row's method is ranked most clearly above the column's. */
  const openCell = (a: string, b: string) => {
    const ids = report.images.filter((image) => image.order.includes(a) && image.order.includes(b));
    const preferred = ids.find((image) => image.order.indexOf(a) < image.order.indexOf(b)) ?? ids[0];
    if (preferred !== undefined) setPair({ id: preferred.id, better: a, worse: b });
  };

  return (
    <section aria-labelledby="methods-results-heading" className="space-y-4" data-testid="methods-results" data-stopped={stopped}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 id="methods-results-heading" className={HEADING_CLASS}>
          {stopped ? 'Result so far (stopped)' : 'Result'}
        </h3>
        <div className="flex flex-wrap gap-2">
          {(
            [
              ['json', 'JSON'],
              ['md', 'Report'],
              ['tex', 'LaTeX'],
              ['csv', 'CSV'],
              ['svg', 'Heat map SVG'],
              ['scores', 'Scores SVG'],
            ] as const
          ).map(([kind, label]) => (
            <button key={kind} type="button" onClick={() => exportReport(kind, report, match)} className={SECONDARY_CLASS}>
              <Download aria-hidden="true" className="size-4" />
              {label}
            </button>
          ))}
        </div>
      </div>
      <p className="text-xs text-slate-600 dark:text-slate-300">
        {report.stats.comparisons} comparisons of {report.stats.pairs} pairs on {report.stats.images} images ({report.pairs === 'allPairs' ? 'all pairs' : 'pairs chosen actively'}, both orders). Scores are
        Bradley–Terry logits with {(100 * report.bootstrap.level).toFixed(0)}% intervals from {report.bootstrap.resamples} bootstrap resamples of the images.
      </p>
      <ScrollTable className="w-full text-sm tabular-nums" testId="methods-table">
        <thead>
          <tr className="text-left text-xs text-slate-500 dark:text-slate-400">
            <th scope="col">method</th>
            <th scope="col" className="text-right">
              score
            </th>
            <th scope="col" className="text-center">
              interval
            </th>
            <th scope="col" className="text-right">
              wins
            </th>
            <th scope="col" className="text-right">
              vs {best}
            </th>
            {METHOD_METRICS.map((m) => (
              <th key={m} scope="col" className="text-right">
                {METRIC_LABEL[m]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.methods.map((method) => (
            <tr key={method.name} className="border-t border-slate-100 dark:border-slate-800" data-testid="methods-row" data-method={method.name} data-score={method.score}>
              <th scope="row" className="text-left font-medium">
                {method.name}
              </th>
              <td className="text-right">{formatScore(method.score)}</td>
              <td className="text-center">
                [{formatScore(method.low)}, {formatScore(method.high)}]
              </td>
              <td className="text-right">{percent(method.winRate)}</td>
              <td className="text-right">{method.name === best ? '—' : percent(report.winMatrix[method.name]![best]!.rate)}</td>
              {METHOD_METRICS.map((m) => (
                <td key={m} className="text-right">
                  {fixed(method.metrics[m], DIGITS[m])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </ScrollTable>
      <WinHeatMap report={report} onOpen={openCell} />
      <Disagreements report={report} onOpen={setPair} />
      {pair !== null && <PairView pair={pair} match={match} onClose={() => setPair(null)} />}
    </section>
  );
}

function WinHeatMap({ report, onOpen }: { report: MethodsReport; onOpen: (a: string, b: string) => void }) {
  const names = report.methods.map((m) => m.name);
  const colour = (rate: number) => {
    const t = Math.max(-1, Math.min(1, 2 * rate - 1));
    return t >= 0 ? `rgb(${255 - 200 * t},${255 - 120 * t},255)` : `rgb(255,${255 + 150 * t},${255 + 150 * t})`;
  };
  return (
    <figure className="space-y-1" data-testid="methods-heatmap">
      <figcaption className="text-xs text-slate-600 dark:text-slate-300">Win rates: the share of images on which the row’s method beats the column’s. Click a cell to see one such image.</figcaption>
      <ScrollTable className="text-xs tabular-nums">
        <thead>
          <tr>
            <td />
            {names.map((name) => (
              <th key={name} scope="col" className="px-1 font-medium">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {names.map((row) => (
            <tr key={row}>
              <th scope="row" className="pr-2 text-right font-medium">
                {row}
              </th>
              {names.map((col) => {
                const cell = row === col ? null : report.winMatrix[row]![col]!;
                if (cell === null || cell.rate === null) {
                  return <td key={col} className="size-12 bg-slate-100 dark:bg-slate-800" />;
                }
                return (
                  <td key={col} className="p-0">
                    <button
                      type="button"
                      onClick={() => onOpen(row, col)}
                      className="size-12 text-slate-900 focus-visible:outline-2 focus-visible:outline-sky-500"
                      style={{ backgroundColor: colour(cell.rate) }}
                      title={`${row} beats ${col} on ${percent(cell.rate)} of ${cell.n} images [${percent(cell.low)}, ${percent(cell.high)}]`}
                      data-testid="methods-heat-cell"
                    >
                      {percent(cell.rate)}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </ScrollTable>
    </figure>
  );
}

function Disagreements({ report, onOpen }: { report: MethodsReport; onOpen: (pair: Pair) => void }) {
  return (
    <div className="space-y-1" data-testid="methods-disagreements">
      <p className="text-xs text-slate-600 dark:text-slate-300">
        How often the output the model prefers also has the better value: {METHOD_METRICS.map((m) => `${METRIC_LABEL[m]} ${percent(report.agreement[m])}`).join(', ')}.
      </p>
      {report.disagreements.length === 0 ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">No confident verdict of the model is contradicted by a metric.</p>
      ) : (
        <ul className="space-y-1 text-sm">
          {report.disagreements.slice(0, 20).map((d) => (
            <li key={`${d.id}/${d.better}/${d.worse}`} className="flex flex-wrap items-center gap-2" data-testid="methods-disagreement">
              <span>
                {d.id}: the model prefers <strong>{d.better}</strong> to {d.worse} ({percent(d.confidence)}); {Object.keys(d.metrics).map((m) => METRIC_LABEL[m as MethodMetric]).join(', ')} say the opposite.
              </span>
              <button type="button" className={SECONDARY_CLASS} onClick={() => onOpen({ id: d.id, better: d.better, worse: d.worse })}>
                Open
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The two outputs side by side (the reference beside them), and Explain: DepictQA's Reasoning, streamed. */
function PairView({ pair, match, onClose }: { pair: Pair; match: MethodsMatch; onClose: () => void }) {
  const model = useModelStore((state) => state.model);
  const busy = useRunStore((state) => state.status === 'encoding' || state.status === 'running');
  const [explained, setExplained] = useState(false);
  const entry = match.ids.find((e) => e.id === pair.id);
  if (entry === undefined) return null;
  const image = (method: string) => entry.outputs.find((o) => o.method === method)?.image;
  const shown = [
    ...(entry.reference === null ? [] : [{ label: 'reference', image: entry.reference }]),
    { label: `${pair.better} (Image A)`, image: image(pair.better) },
    { label: `${pair.worse} (Image B)`, image: image(pair.worse) },
  ];
  return (
    <div className="space-y-2 rounded-lg border border-slate-200 p-3 dark:border-slate-700" data-testid="methods-pair">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="text-sm font-medium">
          Image {pair.id}: {pair.better} and {pair.worse}
        </p>
        <div className="flex gap-2">
          <button
            type="button"
            className={SECONDARY_CLASS}
            disabled={busy || model === null}
            onClick={() => {
              setExplained(true);
              void explainOutputs(pair.id, pair.better, pair.worse);
            }}
          >
            <MessageSquareText aria-hidden="true" className="size-4" />
            Explain
          </button>
          <button type="button" className={SECONDARY_CLASS} onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <div className="grid grid-cols-3 gap-2">
        {shown.map(({ label, image: shownImage }) =>
          shownImage === undefined ? null : (
            <figure key={label} className="space-y-1">
              <img src={shownImage.previewUrl} alt={label} className="w-full rounded border border-slate-200 object-contain dark:border-slate-700" style={{ imageRendering: 'pixelated' }} />
              <figcaption className="text-center text-xs text-slate-600 dark:text-slate-300">{label}</figcaption>
            </figure>
          ),
        )}
      </div>
      {explained && (
        <div data-testid="methods-explanation">
          <AnswerPanel />
        </div>
      )}
    </div>
  );
}

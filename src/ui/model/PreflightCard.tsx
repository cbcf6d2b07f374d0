import { useMemo } from 'react';
import { PREFLIGHT_IMAGES, preflight, type PreflightReport } from '../../core/bundle/preflight.ts';
import type { BundleVariant } from '../../core/bundle/manifest.ts';
import { adapterLabel, type Capabilities } from '../../core/capabilities.ts';
import { formatBytes } from '../../core/format.ts';
import { variantFiles } from '../../core/bundle/variantFiles.ts';
import { useModelStore, type PendingBundle } from '../../state/useModelStore.ts';
import { cancelPending, loadPending } from './loadModel.ts';
import { PreflightNotes } from './PreflightNotes.tsx';
import { RandomWeightsBadge } from './RandomWeightsBadge.tsx';
import { VerdictBadge } from './VerdictBadge.tsx';
import { buttonClass, primaryButtonClass, selectClass } from './styles.ts';

const VARIANT_TEXT: Record<BundleVariant, string> = {
  q4f16: 'q4f16 (4-bit weights, 16-bit activations)',
  q4: 'q4 (4-bit weights, 32-bit activations)',
  fp32: 'fp32 (exact, 32-bit)',
};

/** What the chosen bundle needs here, before it is downloaded or opened, and the choices that change it. */
export function PreflightCard({ pending, capabilities }: { pending: PendingBundle; capabilities: Capabilities }) {
  const choice = useModelStore((state) => state.choice);
  const setChoice = useModelStore((state) => state.setChoice);
  const { manifest } = pending;
  const { available } = pending;
  const report = useMemo(() => preflight(manifest, capabilities, { ...choice, ...(available === undefined ? {} : { available }) }), [manifest, capabilities, choice, available]);
  const readBytes = useMemo(() => {
    const wanted = new Set(variantFiles(manifest, report.variant));
    return manifest.files.filter((file) => wanted.has(file.path)).reduce((sum, file) => sum + file.bytes, 0);
  }, [manifest, report.variant]);
  const readVerb = pending.kind === 'url' ? 'Download' : pending.kind === 'cache' ? 'Read from the cache' : 'Read from the folder';

  return (
    <div data-testid="preflight" data-verdict={report.verdict} className="space-y-3 rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-700">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium text-slate-800 dark:text-slate-100">{manifest.model.name}</span>
        {manifest.model.randomWeights === true && <RandomWeightsBadge />}
        <span className="min-w-0 truncate text-xs text-slate-500 dark:text-slate-400" title={pending.label}>
          {pending.label}
        </span>
      </div>
      {pending.offlineFrom !== undefined && (
        <p role="status" data-testid="preflight-offline" className="rounded-md bg-amber-50 px-2 py-1.5 text-xs text-amber-900 dark:bg-amber-950/50 dark:text-amber-100">
          {navigator.onLine ? 'The server cannot be reached' : 'This browser is offline'}: {pending.offlineFrom} cannot be read. The copy cached in this browser
          from that address opens instead, without the network.
        </p>
      )}
      <div className="grid gap-2 sm:grid-cols-2">
        <label className="flex flex-col gap-1 text-xs text-slate-600 dark:text-slate-300">
          Variant
          {report.variants.length > 1 ? (
            <select className={selectClass} value={report.variant} onChange={(event) => setChoice({ variant: event.target.value as BundleVariant })}>
              {report.variants.map((variant) => (
                <option key={variant} value={variant}>
                  {VARIANT_TEXT[variant]}
                </option>
              ))}
            </select>
          ) : (
            <span data-testid="preflight-variant" className="py-1 text-sm text-slate-800 dark:text-slate-100">
              {VARIANT_TEXT[report.variant]}
            </span>
          )}
        </label>
        <label className="flex flex-col gap-1 text-xs text-slate-600 dark:text-slate-300">
          Context length
          <select className={selectClass} value={report.contextLength} onChange={(event) => setChoice({ contextLength: Number(event.target.value) })}>
            {report.contextChoices.map((length) => (
              <option key={length} value={length}>
                {length} positions
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="text-xs text-slate-600 dark:text-slate-300" data-testid="preflight-backend">
        Runs on{' '}
        <span className="font-medium text-slate-800 dark:text-slate-100">
          {report.backend === 'webgpu' && capabilities.adapter !== null ? `WebGPU (${adapterLabel(capabilities.adapter)})` : 'the CPU (WebAssembly)'}
        </span>
        {' · '}
        {readVerb}: {formatBytes(readBytes)}
      </p>
      <MemoryBreakdown report={report} imageSize={manifest.vision ? `${manifest.vision.preprocess.resizeShortSide}×${manifest.vision.preprocess.resizeLongSide}` : null} />
      <div className="flex flex-col items-start gap-1 sm:flex-row sm:gap-2">
        <VerdictBadge verdict={report.verdict} />
        <p data-testid="preflight-reason" className="text-slate-700 dark:text-slate-200">
          {report.reason}
        </p>
      </div>
      {report.advice.length > 0 && (
        <div data-testid="preflight-advice">
          <p className="text-xs font-medium text-slate-600 dark:text-slate-300">To need less:</p>
          <ul className="ml-4 list-disc text-xs text-slate-600 dark:text-slate-300">
            {report.advice.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      )}
      <PreflightNotes notes={report.notes} />
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Browsers do not report how much memory a GPU has. The estimate is compared with the adapter's largest buffer
        {report.maxBindingBytes === null ? '' : ` (${formatBytes(report.maxBindingBytes)})`} and the browser's device memory hint
        {report.deviceMemory === null ? ' (not given here)' : ` (${report.deviceMemory.capped ? 'at least ' : ''}${formatBytes(report.deviceMemory.bytes)}: browsers round it down and cap it)`}.
      </p>
      <div className="flex flex-wrap gap-2">
        <button type="button" className={report.verdict === 'no-fit' ? buttonClass : primaryButtonClass} onClick={() => void loadPending()}>
          {report.verdict === 'no-fit' ? 'Load anyway' : 'Load'}
        </button>
        <button type="button" className={buttonClass} onClick={cancelPending}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function MemoryBreakdown({ report, imageSize }: { report: PreflightReport; imageSize: string | null }) {
  const { estimate } = report;
  const gpu = report.backend === 'webgpu';
  const rows: Array<[string, number]> = [
    ['Weights', estimate.gpuWeightBytes + (gpu ? 0 : estimate.cpuWeightBytes)],
    [`KV cache (${report.contextLength} positions)`, estimate.kvCacheBytes],
    [imageSize === null ? 'Vision activations' : `Vision activations (${PREFLIGHT_IMAGES} images at ${imageSize})`, estimate.visionActivationBytes],
    ['Decoder activations', estimate.decoderActivationBytes],
  ];
  return (
    <div data-testid="preflight-memory">
      <p className="flex items-baseline justify-between gap-2 text-slate-700 dark:text-slate-200">
        <span>{gpu ? 'Estimated GPU memory' : 'Estimated memory'}</span>
        <span data-testid="preflight-total" className="text-base font-semibold tabular-nums text-slate-900 dark:text-slate-50">
          {formatBytes(report.neededBytes)}
        </span>
      </p>
      <dl className="mt-1 grid grid-cols-[1fr_auto] gap-x-3 text-xs text-slate-600 dark:text-slate-300">
        {rows.map(([name, bytes]) => (
          <div key={name} className="contents">
            <dt className="min-w-0">{name}</dt>
            <dd className="text-right tabular-nums">{formatBytes(bytes)}</dd>
          </div>
        ))}
        {gpu && (
          <div className="contents text-slate-500 dark:text-slate-400">
            <dt>Embedding table (in main memory, not on the GPU)</dt>
            <dd className="text-right tabular-nums">{formatBytes(estimate.cpuWeightBytes)}</dd>
          </div>
        )}
      </dl>
    </div>
  );
}

import { adapterLabel, type Capabilities, type CapabilityNote } from '../../core/capabilities.ts';
import { formatBytes } from '../../core/format.ts';
import { NoteList } from './NoteList.tsx';

interface Props {
  capabilities: Capabilities;
  notes: CapabilityNote[];
}

export function CapabilityDetails({ capabilities: caps, notes }: Props) {
  const adapter = caps.adapter;
  const rows: [string, string][] = [
    ['Backend', caps.backend === 'webgpu' ? 'WebGPU' : 'CPU (WebAssembly)'],
    ['Model variant', caps.variant === 'q4f16' ? 'q4f16 (4-bit weights, fp16 activations)' : 'q4 (4-bit weights, fp32 activations)'],
  ];
  if (adapter !== null) {
    rows.push(
      ['Adapter', adapterLabel(adapter)],
      ['Vendor / architecture', [adapter.vendor, adapter.architecture].filter(Boolean).join(' / ') || 'not reported'],
      ['Software adapter', adapter.isFallbackAdapter ? 'yes' : 'no'],
      ['shader-f16', adapter.hasShaderF16 ? 'yes' : 'no'],
      ['Largest buffer', formatBytes(adapter.maxBufferSize)],
      ['Largest storage binding', formatBytes(adapter.maxStorageBufferBindingSize)],
    );
  }
  rows.push(
    ['Cross-origin isolated', caps.crossOriginIsolated ? 'yes' : 'no'],
    ['CPU threads for WebAssembly', String(caps.wasmThreads)],
    ['Device memory (browser hint)', caps.deviceMemoryGiB === null ? 'not reported' : `≥ ${caps.deviceMemoryGiB} GiB`],
  );

  return (
    <div className="space-y-3">
      <NoteList notes={notes} />
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1" data-testid="capability-details">
        {rows.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="text-slate-500 dark:text-slate-400">{term}</dt>
            <dd className="font-medium break-words text-slate-800 dark:text-slate-100">{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

import type { GraphSpec } from '../../core/bundle/manifest.ts';
import type { Backend } from '../../core/capabilities.ts';
import { AppError } from '../../core/errors.ts';

/**
 * onnxruntime's refusal to open a graph, as our error: its message kept whole, with a code and a hint for what
 * the message says went wrong. Seen refusals:
 * - onnxruntime-node: `External data path escapes model directory. External data path: "…" resolved path: "…"`;
 * - onnxruntime-web: `Failed to load external data file ""…"", error: File not found in preloaded files.`;
 * - a damaged .onnx or chunk: `Protobuf parsing failed`, `Deserialize tensor … failed`, `… are out of bounds or
 *   can not be read in full`, `This is an invalid model`, a missing initializer or input;
 * - a GPU without the memory: an allocation or buffer that could not be made, an out-of-memory status.
 */
export function modelLoadError(label: string, graph: GraphSpec, backend: Backend, cause: unknown): AppError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const where = `${label}: ${graph.path}`;
  const outside = foreignExternalData(detail, graph);
  if (outside !== null) {
    return new AppError('BUNDLE_UNSAFE_PATH', `${where} reads its weights from "${outside}", which is not one of the bundle's files: the bundle is damaged or hostile, and it was not opened (${detail}).`, {
      hint: 'Convert the model again from the original files, or get the bundle from a source you trust.',
      cause,
    });
  }
  const opening = `${where} could not be opened on ${backend}: ${detail}`;
  if (backend === 'webgpu' && GPU_MEMORY.test(detail)) {
    return new AppError('MODEL_LOAD_FAILED', opening, {
      hint: 'The GPU lacks the memory for this variant: close other GPU-heavy tabs or programs, choose a shorter context or the q4 variant, or the CPU backend.',
      cause,
    });
  }
  if (DAMAGED.test(detail)) {
    return new AppError('MODEL_LOAD_FAILED', opening, {
      hint: 'The bundle is damaged or was made by another converter version: copy it again, or convert the model again.',
      cause,
    });
  }
  return new AppError('MODEL_LOAD_FAILED', opening, {
    hint:
      backend === 'webgpu'
        ? 'The GPU may lack a feature this variant needs: choose the q4 variant or the CPU backend. If the CPU fails too, convert the model again.'
        : 'The bundle may be damaged or made by another converter version: convert the model again.',
    cause,
  });
}

const GPU_MEMORY = /out of memory|\bOOM\b|failed to (?:allocate|create) (?:a )?(?:GPU )?buffer|allocation (?:failed|of .* failed)|exceeds (?:the )?(?:max|maximum) buffer size|device (?:was )?lost/i;
const DAMAGED =
  /Protobuf parsing failed|Deserialize tensor|out of bounds or can not be read|invalid model|is not a valid ONNX|Missing Input|does not exist in the graph|initializer .*not found|not found in preloaded files|TensorProto|data size mismatch/i;

/** The external-data path onnxruntime names, when the graph points outside the files the manifest lists for it. */
function foreignExternalData(detail: string, graph: GraphSpec): string | null {
  const named = /External data path escapes model directory\. External data path: "([^"]*)"/.exec(detail)?.[1] ?? /Failed to load external data file "+([^"]*)"+/.exec(detail)?.[1];
  if (named === undefined) return null;
  const folder = graph.path.includes('/') ? graph.path.slice(0, graph.path.lastIndexOf('/') + 1) : '';
  const listed = new Set(graph.externalData.map((path) => (path.startsWith(folder) ? path.slice(folder.length) : path)));
  const plain = named.replace(/^(?:\.\/)+/, '');
  return listed.has(plain) ? null : named;
}

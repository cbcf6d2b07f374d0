/**
 * Resuming a file download with HTTP Range requests: what to ask for, and what a response means for the
 * bytes already stored. Pure, so every server behaviour is a unit test.
 */

/** Where a download starts given the bytes a previous attempt stored: more than the file has is garbage. */
export function resumeOffset(storedBytes: number, expectedBytes: number): number {
  return storedBytes > expectedBytes ? 0 : storedBytes;
}

/** Request headers for the bytes from `offset` on. `bytes=N-` is a CORS-safelisted Range: no preflight. */
export function rangeHeaders(offset: number): Record<string, string> {
  return offset > 0 ? { Range: `bytes=${offset}-` } : {};
}

export interface ContentRange {
  start: number;
  end: number;
  /** null when the server wrote `*` (length unknown). */
  total: number | null;
}

/** `bytes 100-199/1000` → { start: 100, end: 199, total: 1000 }; an unsatisfied range (`bytes *` + `/1000`) and junk → null. */
export function parseContentRange(header: string | null): ContentRange | null {
  const match = header === null ? null : /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header);
  if (match === null) return null;
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (end < start) return null;
  return { start, end, total: match[3] === '*' ? null : Number(match[3]) };
}

// The total length from an unsatisfiable range's Content-Range (`bytes *` + `/1000`).
function unsatisfiedTotal(header: string | null): number | null {
  const match = header === null ? null : /^\s*bytes\s+\*\/(\d+)\s*$/i.exec(header);
  return match === null ? null : Number(match[1]);
}

export type ResponsePlan =
  /** Write the body at `offset` (the stored bytes before it stay). */
  | { kind: 'append'; offset: number }
  /** The server sent the whole file although a range was asked for: drop what is stored. */
  | { kind: 'restart' }
  | { kind: 'missing' }
  /** The server holds a file of another length than the manifest says. */
  | { kind: 'sizeMismatch'; serverBytes: number }
  /** Worth another attempt after a pause (overload, timeout, a gateway's hiccup). */
  | { kind: 'retry'; reason: string }
  | { kind: 'fail'; reason: string };

/** `expectedBytes` null: a file whose length only the server knows, asked for whole. */
export function planResponse(
  requestedOffset: number,
  expectedBytes: number | null,
  status: number,
  contentRange: string | null,
): ResponsePlan {
  if (status === 200) return requestedOffset === 0 ? { kind: 'append', offset: 0 } : { kind: 'restart' };
  if (status === 206) {
    const range = parseContentRange(contentRange);
    // A cross-origin server that does not expose Content-Range: a 206 answers the one range asked for.
    if (range === null) return { kind: 'append', offset: requestedOffset };
    if (range.total !== null && expectedBytes !== null && range.total !== expectedBytes) return { kind: 'sizeMismatch', serverBytes: range.total };
    if (range.start !== requestedOffset) {
      return { kind: 'fail', reason: `the server sent bytes from ${range.start} when asked for bytes from ${requestedOffset}` };
    }
    return { kind: 'append', offset: requestedOffset };
  }
  if (status === 416) {
    const total = unsatisfiedTotal(contentRange);
    if (total !== null && expectedBytes !== null && total !== expectedBytes) return { kind: 'sizeMismatch', serverBytes: total };
    return { kind: 'fail', reason: `the server refused bytes from ${requestedOffset} (HTTP 416)` };
  }
  if (status === 404 || status === 410) return { kind: 'missing' };
  if (status === 408 || status === 429 || (status >= 500 && status <= 599)) return { kind: 'retry', reason: `HTTP ${status}` };
  return { kind: 'fail', reason: `HTTP ${status}` };
}

/** Pause before attempt `attempt` (1-based) after a failure: doubling, capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

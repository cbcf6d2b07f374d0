/** Progress of a conversion: tensors and bytes done, rate and ETA, redrawn on one line of a terminal. */
export interface Progress {
  /** Declares the work ahead (call once per phase). */
  start(phase: string, totalTensors: number, totalBytes: number): void;
  /** Records one finished tensor of `bytes` input bytes. */
  tensorDone(name: string, bytes: number): void;
  /** Ends the current phase with a summary line (on a terminal). */
  finish(): void;
  /** A line of information, printed whether or not this is a terminal. */
  log(message: string): void;
}

/** Progress that prints nothing: for tests, benches and fixture scripts that convert. */
export const SILENT_PROGRESS: Progress = { start() {}, tensorDone() {}, finish() {}, log() {} };

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  now?: () => number;
  /** Redraws at most this often. */
  intervalMs?: number;
}

/** Draws on a TTY only; when output is redirected it stays quiet except for `log` lines. */
export function createProgress({ stream = process.stderr, now = () => performance.now(), intervalMs = 200 }: ProgressOptions = {}): Progress {
  const interactive = stream.isTTY === true;
  let phase = '';
  let totalTensors = 0;
  let totalBytes = 0;
  let doneTensors = 0;
  let doneBytes = 0;
  let startedMs = 0;
  let lastDrawMs = -Infinity;

  const line = () => {
    const elapsedS = (now() - startedMs) / 1000;
    const rate = elapsedS > 0 ? doneBytes / elapsedS : 0;
    const etaS = rate > 0 ? (totalBytes - doneBytes) / rate : Infinity;
    const percent = totalBytes > 0 ? (100 * doneBytes) / totalBytes : 100;
    return (
      `${phase}: ${doneTensors}/${totalTensors} tensors, ${mb(doneBytes)}/${mb(totalBytes)} MB ` +
      `(${percent.toFixed(0)}%), ${mb(rate)} MB/s, ETA ${formatSeconds(etaS)}`
    );
  };
  const draw = (force: boolean) => {
    if (!interactive) return;
    const t = now();
    if (!force && t - lastDrawMs < intervalMs) return;
    lastDrawMs = t;
    stream.write(`\r\x1b[2K${line()}`);
  };

  return {
    start(name, tensors, bytes) {
      phase = name;
      totalTensors = tensors;
      totalBytes = bytes;
      doneTensors = 0;
      doneBytes = 0;
      startedMs = now();
      lastDrawMs = -Infinity;
      draw(true);
    },
    tensorDone(_name, bytes) {
      doneTensors += 1;
      doneBytes += bytes;
      draw(false);
    },
    finish() {
      if (!interactive) return;
      draw(true);
      stream.write('\n');
    },
    log(message) {
      if (interactive) stream.write('\r\x1b[2K');
      stream.write(`${message}\n`);
    },
  };
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(bytes >= 1e9 ? 0 : 1);
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

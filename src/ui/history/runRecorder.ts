import { beginRecord, updateRecord, type HistoryRecord, type RunSnapshot, type RunStart } from '../../core/history/record.ts';

/** The run store's fields the recorder reads; 'idle' is a page with no run (or one reset). */
export type ObservedRun = Omit<RunSnapshot, 'status'> & { status: RunSnapshot['status'] | 'idle' };

export interface RunRecorderOptions {
  /** What the run started with (task, images, settings, model), read when the run store starts one. */
  capture: () => { start: Omit<RunStart, 'id' | 'startedAt'>; blobs: ReadonlyMap<string, Blob> };
  /** Writes a record; `blobs` (the image files by sha256) only with the first write of a run. */
  persist: (record: HistoryRecord, blobs: ReadonlyMap<string, Blob> | null) => Promise<void>;
  /** A write of this record failed: the run goes on, the user is told. */
  onError: (error: unknown, record: HistoryRecord) => void;
  /** The streamed answer is saved at most this often. */
  throttleMs?: number;
  now?: () => number;
  newId?: () => string;
}

export interface RunRecorder {
  /** Feed every run store change (state and the state before it). */
  observe: (run: ObservedRun, previous: ObservedRun) => void;
  /** Saves the streamed answer now (the page is going away). */
  flush: () => void;
  /** Resolves when every write queued so far is done. */
  settled: () => Promise<void>;
}

const TERMINAL = new Set<ObservedRun['status']>(['done', 'stopped', 'failed']);

/**
 * Turns run store changes into saved records: one when a run starts (with its images), the partial answer at
 * most every `throttleMs` while it streams (so a crash loses at most that much), and the final state.
 * Writes of a run are queued in order, so a late partial save never overwrites the final one.
 */
export function createRunRecorder(options: RunRecorderOptions): RunRecorder {
  const throttleMs = options.throttleMs ?? 1000;
  const now = options.now ?? Date.now;
  const newId = options.newId ?? (() => crypto.randomUUID());
  let current: HistoryRecord | null = null;
  /** The record of the run that ended last: its confidence may still be filled in. */
  let ended: HistoryRecord | null = null;
  let lastSavedAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let queue = Promise.resolve();

  const enqueue = (record: HistoryRecord, blobs: ReadonlyMap<string, Blob> | null) => {
    lastSavedAt = now();
    queue = queue.then(() => options.persist(record, blobs)).catch((error: unknown) => options.onError(error, record));
  };
  const cancelTimer = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  const saveCurrent = () => {
    cancelTimer();
    if (current !== null) enqueue(current, null);
  };
  const scheduleSave = () => {
    if (timer !== null) return;
    timer = setTimeout(saveCurrent, Math.max(0, lastSavedAt + throttleMs - now()));
  };

  return {
    observe(run, previous) {
      if (run.status === 'encoding' && previous.status !== 'encoding') {
        // A run still open here never reached an end state (the store was restarted under it): keep what it had.
        saveCurrent();
        ended = null;
        const { start, blobs } = options.capture();
        current = beginRecord({ ...start, id: newId(), startedAt: now() });
        enqueue(current, blobs);
        return;
      }
      if (current === null) {
        // The ended run's confidence, computed after it ended (the sentence model was loaded since): the same answer
        // (its stats object unchanged; a saved run shown again has its own) with a new confidence report.
        const filled =
          ended !== null &&
          run.status === previous.status &&
          run.text === previous.text &&
          run.summary !== null &&
          previous.summary !== null &&
          run.summary.stats === previous.summary.stats &&
          run.summary.confidenceReport !== previous.summary.confidenceReport;
        if (filled && ended !== null) {
          ended = { ...ended, confidenceReport: run.summary!.confidenceReport, updatedAt: now() };
          enqueue(ended, null);
        }
        return;
      }
      const changed = run.status !== previous.status || run.text !== previous.text || run.question !== previous.question;
      if (!changed && run.summary === previous.summary && run.error === previous.error) return;
      // A reset to idle mid-run ends it where it stood.
      const snapshot: RunSnapshot = run.status === 'idle' ? { ...run, status: 'stopped' } : { ...run, status: run.status };
      current = updateRecord(current, snapshot, now());
      if (TERMINAL.has(snapshot.status)) {
        saveCurrent();
        ended = current;
        current = null;
      } else {
        scheduleSave();
      }
    },
    flush() {
      if (timer !== null) saveCurrent();
    },
    settled: () => queue,
  };
}

/**
 * Memory of a Chromium run, sampled while a model loads: RSS of this process's Chromium children by process type
 * (from /proc), the page's JS heap (CDP Performance.getMetrics) and each worker's JS heap (CDP Runtime.getHeapUsage
 * through the page's session, auto-attached to its workers), and the machine's MemAvailable, so that a run
 * can be stopped before it starves the other users of a shared machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';

export interface MemoryPeaks {
  /** Peak summed RSS by Chromium process type ('browser', 'renderer', 'gpu-process', 'utility', …). */
  rssByType: Record<string, number>;
  /** Summed RSS by process type at the last sample (after `settle`: once the load is over and garbage collected). */
  lastRssByType: Record<string, number>;
  /** Peak of the shared-memory part of that RSS (RssShmem: e.g. GPU buffers mapped for upload), by process type. */
  shmemByType: Record<string, number>;
  /** Peak of the summed RSS of all Chromium processes at one sample. */
  rssTotal: number;
  pageHeapUsed: number | null;
  workerHeapUsed: number | null;
  /** The workers' JS heap used at the last sample (their sum). */
  lastWorkerHeapUsed: number | null;
  /** Lowest MemAvailable seen. */
  minAvailable: number;
  samples: number;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** RSS in bytes of every descendant of `root`, keyed by pid, with its Chromium `--type`. */
export function descendantsRss(root: number): Array<{ pid: number; type: string; rss: number; shmem: number }> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readText(`/proc/${name}/stat`);
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const ppid = stat === null ? NaN : Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parents.set(Number(name), ppid);
  }
  const inTree = (pid: number): boolean => {
    for (let current = parents.get(pid), hops = 0; current !== undefined && hops < 64; current = parents.get(current), hops++) {
      if (current === root) return true;
    }
    return false;
  };
  const out = [];
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue;
    const cmdline = readText(`/proc/${pid}/cmdline`) ?? '';
    if (!/chrom/i.test(cmdline.split('\0')[0] ?? '')) continue;
    const status = readText(`/proc/${pid}/status`) ?? '';
    const kB = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    const type = /--type=([\w-]+)/.exec(cmdline)?.[1] ?? 'browser';
    out.push({ pid, type, rss: kB('VmRSS'), shmem: kB('RssShmem') });
  }
  return out;
}

export function memAvailable(): number {
  const match = /MemAvailable:\s+(\d+) kB/.exec(readText('/proc/meminfo') ?? '');
  return match === null ? Infinity : Number(match[1]) * 1024;
}

interface WorkerSession {
  sessionId: string;
  pending: Map<number, (usedSize: number) => void>;
}

export interface MemorySampler {
  peaks: MemoryPeaks;
  /**
   * Asks the page and its workers to collect garbage, waits `settleMs` and samples again, so that
   * `lastRssByType` is the memory the loaded model keeps rather than garbage the load left behind.
   */
  settle(settleMs?: number): Promise<void>;
  stop(): Promise<MemoryPeaks>;
}

/**
 * Samples every `intervalMs` (default 200 ms) until stopped; calls `onLowMemory` once when MemAvailable falls below `floorBytes`.
 */
export async function startMemorySampler(
  context: BrowserContext,
  page: Page,
  options: { intervalMs?: number; floorBytes: number; onLowMemory: (available: number) => void },
): Promise<MemorySampler> {
  const peaks: MemoryPeaks = { rssByType: {}, lastRssByType: {}, shmemByType: {}, rssTotal: 0, pageHeapUsed: null, workerHeapUsed: null, lastWorkerHeapUsed: null, minAvailable: Infinity, samples: 0 };
  const pageSession = await context.newCDPSession(page);
  await pageSession.send('Performance.enable');
  // The page's dedicated workers, attached through the page's own session (non-flat: their protocol messages
  // travel inside Target.sendMessageToTarget / receivedMessageFromTarget).
  const workers = new Map<string, WorkerSession>();
  let nextId = 1;
  pageSession.on('Target.attachedToTarget', (event: { sessionId: string; targetInfo: { type: string } }) => {
    if (event.targetInfo.type === 'worker') workers.set(event.sessionId, { sessionId: event.sessionId, pending: new Map() });
  });
  pageSession.on('Target.detachedFromTarget', (event: { sessionId: string }) => workers.delete(event.sessionId));
  pageSession.on('Target.receivedMessageFromTarget', (event: { sessionId: string; message: string }) => {
    const message = JSON.parse(event.message) as { id?: number; result?: { usedSize?: number } };
    const worker = workers.get(event.sessionId);
    if (worker === undefined || message.id === undefined) return;
    worker.pending.get(message.id)?.(message.result?.usedSize ?? 0);
    worker.pending.delete(message.id);
  });
  await pageSession.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  let low = false;
  let busy = false;
  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      const available = memAvailable();
      peaks.minAvailable = Math.min(peaks.minAvailable, available);
      if (!low && available < options.floorBytes) {
        low = true;
        options.onLowMemory(available);
      }
      const processes = descendantsRss(process.pid);
      const byType: Record<string, number> = {};
      const shmemByType: Record<string, number> = {};
      for (const { type, rss, shmem } of processes) {
        byType[type] = (byType[type] ?? 0) + rss;
        shmemByType[type] = (shmemByType[type] ?? 0) + shmem;
      }
      for (const [type, shmem] of Object.entries(shmemByType)) peaks.shmemByType[type] = Math.max(peaks.shmemByType[type] ?? 0, shmem);
      for (const [type, rss] of Object.entries(byType)) peaks.rssByType[type] = Math.max(peaks.rssByType[type] ?? 0, rss);
      peaks.lastRssByType = byType;
      peaks.rssTotal = Math.max(peaks.rssTotal, processes.reduce((sum, { rss }) => sum + rss, 0));
      const metrics = (await pageSession.send('Performance.getMetrics').catch(() => ({ metrics: [] }))) as { metrics: Array<{ name: string; value: number }> };
      const heap = metrics.metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value;
      if (heap !== undefined) peaks.pageHeapUsed = Math.max(peaks.pageHeapUsed ?? 0, heap);
      await sampleWorkers();
      peaks.samples++;
    } finally {
      busy = false;
    }
  };
  const sampleWorkers = async () => {
    const used = await Promise.all(
      [...workers.values()].map(
        (worker) =>
          new Promise<number>((resolve) => {
            const id = nextId++;
            const timer = setTimeout(() => resolve(0), 5000);
            worker.pending.set(id, (usedSize) => {
              clearTimeout(timer);
              resolve(usedSize);
            });
            pageSession
              .send('Target.sendMessageToTarget', { sessionId: worker.sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) })
              .catch(() => resolve(0));
          }),
      ),
    );
    if (used.some((value) => value > 0)) {
      peaks.workerHeapUsed = Math.max(peaks.workerHeapUsed ?? 0, ...used);
      peaks.lastWorkerHeapUsed = used.reduce((sum, value) => sum + value, 0);
    }
  };
  const timer = setInterval(() => void sample().catch(() => undefined), options.intervalMs ?? 200);
  return {
    peaks,
    async settle(settleMs = 2000) {
      await pageSession.send('HeapProfiler.collectGarbage').catch(() => undefined);
      for (const worker of workers.values()) {
        const message = JSON.stringify({ id: nextId++, method: 'HeapProfiler.collectGarbage' });
        await pageSession.send('Target.sendMessageToTarget', { sessionId: worker.sessionId, message }).catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      while (busy) await new Promise((resolve) => setTimeout(resolve, 20));
      await sample().catch(() => undefined);
    },
    async stop() {
      clearInterval(timer);
      await sample().catch(() => undefined);
      await pageSession.detach().catch(() => undefined);
      return peaks;
    },
  };
}

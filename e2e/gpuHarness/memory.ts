import { readdirSync, readFileSync } from 'node:fs';
import type { Browser, CDPSession } from '@playwright/test';

/** Resident memory (MiB) of every process below this one: the browser Playwright started, its GPU and renderer processes. */
export function browserRssMb(): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      rss.set(Number(entry), kb);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const queue = [...(children.get(process.pid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    total += rss.get(pid) ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return total / 1024;
}

/**
 * The JS heap of the engine worker (MiB, after a forced GC), through the DevTools protocol: the worker is attached
 * from a browser-level session and addressed with Target.sendMessageToTarget.
 */
export class WorkerHeap {
  private nextId = 1;
  private waiting = new Map<number, (result: Record<string, unknown>) => void>();

  private constructor(
    private readonly cdp: CDPSession,
    private readonly sessionId: string,
  ) {
    cdp.on('Target.receivedMessageFromTarget', (event) => {
      if (event.sessionId !== this.sessionId) return;
      const message = JSON.parse(event.message) as { id?: number; result?: Record<string, unknown> };
      if (message.id !== undefined) this.waiting.get(message.id)?.(message.result ?? {});
    });
  }

  static async attach(browser: Browser, workerName: string): Promise<WorkerHeap> {
    const cdp = await browser.newBrowserCDPSession();
    const { targetInfos } = await cdp.send('Target.getTargets');
    // A dedicated worker's title is its name; onnxruntime's own threads are 'em-pthread' (and block in Atomics.wait).
    const target = targetInfos.find((info) => info.type === 'worker' && info.title === workerName);
    if (target === undefined) throw new Error(`no worker named ${workerName}`);
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false });
    return new WorkerHeap(cdp, sessionId);
  }

  async usedMb(): Promise<number> {
    await this.send('HeapProfiler.collectGarbage', {});
    const usage = (await this.send('Runtime.getHeapUsage', {})) as { usedSize: number };
    return usage.usedSize / 2 ** 20;
  }

  private send(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer from the worker in 20 s`)), 20_000);
      this.waiting.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.cdp.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  }
}

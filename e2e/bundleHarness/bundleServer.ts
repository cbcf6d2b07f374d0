import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { listenLocal, serveStatic, type LocalServer } from '../../tools/browser/staticServer.ts';

/** A scripted misbehaviour for requests of one bundle path; `times` requests get it, then it is used up. */
export type Fault = { path: string; times?: number } & (
  | { kind: 'status'; status: number }
  /** Serve these bytes instead of the file (a manifest that is not JSON, a newer schema…). */
  | { kind: 'body'; body: string | Uint8Array }
  /** Flip one byte of what is sent. */
  | { kind: 'corrupt' }
  /** Send `afterBytes` bytes of the answer and end cleanly, as if the file were that long. */
  | { kind: 'truncate'; afterBytes: number }
  /**
   * Promise the whole answer, send `afterBytes`, then reset the connection once the loader reports them stored
   * (a load given `storedUrl`). Not on a timer: when a connection fails, Chromium throws away the body bytes the
   * page has not read yet, so a timed reset would leave the loader 0 to `afterBytes` bytes, by machine speed.
   */
  | { kind: 'drop'; afterBytes: number }
  /** Send `afterBytes`, then keep the connection open and silent. */
  | { kind: 'stall'; afterBytes: number }
  /** Answer a Range request with 200 and the whole file. */
  | { kind: 'ignoreRange' }
  /** Send at about this rate, in 32 KiB pieces. */
  | { kind: 'throttle'; bytesPerSecond: number }
);

export interface RequestRecord {
  path: string;
  range: string | null;
  status: number;
}

/**
 * Two origins on 127.0.0.1: the harness page (with the app's COOP/COEP headers) and a bundle host on another
 * port, so every bundle request is a real cross-origin CORS fetch with real sockets, Range handling and faults.
 */
export class BundleServer {
  faults: Fault[] = [];
  requests: RequestRecord[] = [];
  private servers: LocalServer[] = [];
  /** Answers of 'drop' faults, held open until the loader has stored `untilStored` bytes of `path`. */
  private heldDrops: Array<{ path: string; untilStored: number; response: ServerResponse }> = [];
  pageOrigin = '';
  bundleOrigin = '';

  constructor(
    private readonly harnessDir: string,
    /** Bundle folders by name: served at `${bundleOrigin}/<name>/<path>`. */
    private readonly bundles: Record<string, string>,
  ) {}

  async start(): Promise<void> {
    const page = await serveStatic({ folders: { '/harness/': this.harnessDir } });
    const bundles = await listenLocal((request, response) => this.serveBundle(request, response));
    this.servers = [page, bundles];
    this.pageOrigin = page.origin;
    this.bundleOrigin = bundles.origin;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close()));
  }

  reset(): void {
    this.faults = [];
    this.requests = [];
    for (const held of this.heldDrops.splice(0)) held.response.socket?.destroy();
  }

  /** Where a load reports the bytes it stored (`GET ?path=…&bytes=…`), so that 'drop' faults fire. Not a recorded request. */
  get storedUrl(): string {
    return `${this.bundleOrigin}/_stored`;
  }

  /** Requests for one bundle path (e.g. 'onnx/decoder_model_merged_q4.onnx_data'). */
  requestsFor(path: string): RequestRecord[] {
    return this.requests.filter((record) => record.path === path);
  }

  private async serveBundle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'Content-Range, Content-Length, Accept-Ranges',
      'Cache-Control': 'no-store',
    };
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { ...cors, 'Access-Control-Allow-Headers': 'Range', 'Access-Control-Allow-Methods': 'GET' });
      return void response.end();
    }
    const url = new URL(request.url ?? '/', this.bundleOrigin);
    if (url.pathname === '/_stored') {
      this.dropStored(url.searchParams.get('path') ?? '', Number(url.searchParams.get('bytes')));
      return void response.writeHead(204, cors).end();
    }
    const [bundleName, ...rest] = decodeURIComponent(url.pathname).replace(/^\//, '').split('/');
    const path = rest.join('/');
    const range = request.headers.range ?? null;
    const record: RequestRecord = { path, range, status: 0 };
    this.requests.push(record);
    const send = (status: number, headers: Record<string, string | number>, body?: Uint8Array | string) => {
      record.status = status;
      response.writeHead(status, { ...cors, ...headers });
      response.end(body);
    };

    const fault = this.takeFault(path);
    const folder = bundleName === undefined ? undefined : this.bundles[bundleName];
    let file = folder === undefined ? null : await readFile(normalize(join(folder, path))).catch(() => null);
    if (fault?.kind === 'status') return send(fault.status, {}, `status ${fault.status}`);
    if (fault?.kind === 'body') file = Buffer.from(fault.body);
    if (file === null) return send(404, {}, 'not found');

    // Ranges as static hosts serve them: `bytes=N-` and `bytes=N-M`, 416 past the end.
    let start = 0;
    let end = file.length;
    let status = 200;
    const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
    const match = range === null || fault?.kind === 'ignoreRange' ? null : /^bytes=(\d+)-(\d*)$/.exec(range);
    if (match !== null) {
      start = Number(match[1]);
      if (start >= file.length) return send(416, { 'Content-Range': `bytes */${file.length}` });
      end = match[2] === '' ? file.length : Math.min(file.length, Number(match[2]) + 1);
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end - 1}/${file.length}`;
    }
    let body = file.subarray(start, end);
    if (fault?.kind === 'corrupt') {
      body = Buffer.from(body);
      body[Math.floor(body.length / 2)]! ^= 0xff;
    }
    if (fault?.kind === 'truncate') body = body.subarray(0, fault.afterBytes);
    if (fault?.kind === 'drop' || fault?.kind === 'stall') {
      record.status = status;
      response.writeHead(status, { ...cors, ...headers, 'Content-Length': body.length });
      response.write(body.subarray(0, fault.afterBytes));
      if (fault.kind === 'drop') {
        const held = { path, untilStored: start + Math.min(fault.afterBytes, body.length), response };
        this.heldDrops.push(held);
        response.on('close', () => (this.heldDrops = this.heldDrops.filter((other) => other !== held)));
      }
      return;
    }
    if (fault?.kind === 'throttle') {
      record.status = status;
      response.writeHead(status, { ...cors, ...headers, 'Content-Length': body.length });
      const piece = 32 * 1024;
      for (let offset = 0; offset < body.length && !response.destroyed; offset += piece) {
        response.write(body.subarray(offset, offset + piece));
        await new Promise((resolve) => setTimeout(resolve, (piece / fault.bytesPerSecond) * 1000));
      }
      return void response.end();
    }
    send(status, { ...headers, 'Content-Length': body.length }, body);
  }

  /** The loader holds `storedBytes` of `path`: reset the held answers whose bytes it now has, all of them. */
  private dropStored(path: string, storedBytes: number): void {
    for (const held of this.heldDrops.filter((drop) => drop.path === path && drop.untilStored <= storedBytes)) held.response.socket?.destroy();
  }

  private takeFault(path: string): Fault | undefined {
    const index = this.faults.findIndex((fault) => fault.path === path);
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    if (fault.times !== undefined && --fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }
}

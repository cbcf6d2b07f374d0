import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import { WorkerConnection, type StartWorker } from './WorkerConnection.ts';

interface FakeWorker {
  id: number;
  terminated: boolean;
  lose: (error: AppError) => void;
}

/** Workers whose API is a number (which worker answered) and whose end the test decides. */
function fakeWorkers(): { start: StartWorker<number>; workers: FakeWorker[] } {
  const workers: FakeWorker[] = [];
  const start: StartWorker<number> = (onLost) => {
    const worker: FakeWorker = { id: workers.length + 1, terminated: false, lose: onLost };
    workers.push(worker);
    return { remote: worker.id, terminate: () => void (worker.terminated = true) };
  };
  return { start, workers };
}

const lost = () => new AppError('ENGINE_WORKER_LOST', 'The engine stopped.');

describe('WorkerConnection', () => {
  it('starts one worker on first use and keeps using it', async () => {
    const { start, workers } = fakeWorkers();
    const connection = new WorkerConnection(start);
    expect(connection.generation).toBe(0);
    expect(await connection.call(async (id, generation) => [id, generation])).toEqual([1, 1]);
    expect(await connection.call(async (id) => id)).toBe(1);
    expect(workers).toHaveLength(1);
  });

  it('fails the call waiting on a lost worker at once, ends that worker, and starts another for the next call', async () => {
    const { start, workers } = fakeWorkers();
    const losses: number[] = [];
    const connection = new WorkerConnection(start, (_, generation) => losses.push(generation));
    // A call the worker will never answer.
    const waiting = connection.call(() => new Promise<never>(() => undefined));
    workers[0]!.lose(lost());
    await expect(waiting).rejects.toMatchObject({ code: 'ENGINE_WORKER_LOST' });
    expect(workers[0]!.terminated).toBe(true);
    expect(connection.generation).toBe(0);
    expect(losses).toEqual([1]);
    expect(await connection.call(async (id, generation) => [id, generation])).toEqual([2, 2]);
  });

  it('counts a worker lost once, and ignores the end of a worker already replaced', async () => {
    const { start, workers } = fakeWorkers();
    const losses: number[] = [];
    const connection = new WorkerConnection(start, (_, generation) => losses.push(generation));
    await connection.call(async () => undefined);
    // An error event, then its life lock released: two signs of one end.
    workers[0]!.lose(lost());
    workers[0]!.lose(lost());
    await connection.call(async () => undefined);
    workers[0]!.lose(lost());
    expect(losses).toEqual([1]);
    expect(connection.generation).toBe(2);
  });

  it('a worker lost while it starts fails the first call and is ended', async () => {
    const workers: FakeWorker[] = [];
    const connection = new WorkerConnection<number>((onLost) => {
      const worker: FakeWorker = { id: 1, terminated: false, lose: onLost };
      workers.push(worker);
      onLost(new AppError('WORKER_FAILED', 'The engine worker stopped: it could not start.'));
      return { remote: 1, terminate: () => void (worker.terminated = true) };
    });
    await expect(connection.call(async (id) => id)).rejects.toMatchObject({ code: 'WORKER_FAILED' });
    expect(workers[0]!.terminated).toBe(true);
  });

  it('ifRunning starts no worker, and terminate() ends the running one like a loss', async () => {
    const { start, workers } = fakeWorkers();
    const connection = new WorkerConnection(start);
    expect(await connection.ifRunning(async (id) => id)).toBeUndefined();
    expect(workers).toHaveLength(0);
    await connection.call(async () => undefined);
    expect(await connection.ifRunning(async (id) => id)).toBe(1);
    const waiting = connection.call(() => new Promise<never>(() => undefined));
    connection.terminate(lost());
    await expect(waiting).rejects.toMatchObject({ code: 'ENGINE_WORKER_LOST' });
    expect(workers[0]!.terminated).toBe(true);
  });
});

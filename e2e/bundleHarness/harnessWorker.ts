import { answerCalls } from '../../tools/browser/harness/workerCalls.ts';
import type { WorkerCall, WorkerReply } from './protocol.ts';
import { cacheApi, measureHashSpeed, runLoad } from './scenario.ts';

/** The loader in a module worker, as the engine worker runs it: OPFS sync access handles exist only here. */
async function handle(data: WorkerCall): Promise<WorkerReply> {
  const value = data.call === 'load' ? await runLoad(data.request, data.picked) : data.call === 'list' ? await cacheApi.list() : await measureHashSpeed(data.megabytes);
  return { value };
}

answerCalls<WorkerCall, WorkerReply>(handle, (error) => ({ error }));

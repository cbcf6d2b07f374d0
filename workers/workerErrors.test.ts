import { expose, wrap } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../src/core/errors.ts';
import { registerErrorTransfer } from './workerErrors.ts';

const channels: MessageChannel[] = [];
afterEach(() => {
  for (const channel of channels.splice(0)) {
    channel.port1.close();
    channel.port2.close();
  }
});

function connect<T extends object>(api: T) {
  const channel = new MessageChannel();
  channels.push(channel);
  expose(api, channel.port1);
  return wrap<T>(channel.port2);
}

describe('errors across a Comlink boundary', () => {
  registerErrorTransfer();

  it('keeps code, message, hint and cause of an AppError', async () => {
    const remote = connect({
      fail: (): void => {
        throw new AppError('WEBGPU_ADAPTER_FAILED', 'The adapter went away.', {
          hint: 'Reload the page.',
          cause: new TypeError('device lost'),
        });
      },
    });
    const error = await remote.fail().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'WEBGPU_ADAPTER_FAILED',
      message: 'The adapter went away.',
      hint: 'Reload the page.',
      cause: 'TypeError: device lost',
    });
  });

  it('turns a plain Error into INTERNAL with its message', async () => {
    const remote = connect({
      fail: async () => {
        throw new RangeError('index 7 out of range');
      },
    });
    await expect(remote.fail()).rejects.toMatchObject({ code: 'INTERNAL', message: 'index 7 out of range' });
  });

  it('does not mistake a returned object with a `value` field for a thrown one', async () => {
    const remote = connect({ get: () => ({ value: 42 }) });
    await expect(remote.get()).resolves.toEqual({ value: 42 });
  });
});

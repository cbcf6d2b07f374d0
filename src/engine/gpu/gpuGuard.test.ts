import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { gpuFailureError, isGpuFailure, withRepeatAdvice } from './gpuErrors.ts';
import { GpuGuard } from './gpuGuard.ts';
import { guardedNow, guardedRun } from './guardedRun.ts';
import { FakeDevice, GPUInternalError, GPUOutOfMemoryError, GPUValidationError } from './testing/fakeDevice.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('GpuGuard', () => {
  it('pushes three scopes per run and pops all three, clean runs report nothing', async () => {
    const device = new FakeDevice();
    const guard = new GpuGuard(device);
    for (let step = 0; step < 3; step++) {
      const { value, check } = await guardedRun(guard, 'answering', async () => step * 2);
      expect(value).toBe(step * 2);
      await expect(check).resolves.toBeUndefined();
    }
    expect([device.pushes, device.pops, device.openScopes]).toEqual([9, 9, 0]);
    expect(guard.failed).toBeNull();
  });

  it('an error inside a run is caught by its scope, not by the listener, and its check rejects with the right code', async () => {
    for (const [error, code] of [
      [new GPUOutOfMemoryError('buffer too big'), 'GPU_OUT_OF_MEMORY'],
      [new GPUValidationError('bad binding'), 'GPU_ERROR'],
      [new GPUInternalError('shader compile'), 'GPU_ERROR'],
    ] as const) {
      const device = new FakeDevice();
      const guard = new GpuGuard(device);
      const { check } = await guardedRun(guard, 'answering', async () => device.raise(error));
      await expect(check).rejects.toMatchObject({ code, message: expect.stringContaining(`while answering (${error.message})`) });
      expect(guard.failed).toMatchObject({ during: 'answering', message: error.message });
      expect(device.openScopes).toBe(0);
    }
  });

  it('an OOM outranks the validation error it caused in the same run', async () => {
    const device = new FakeDevice();
    const guard = new GpuGuard(device);
    const { check } = await guardedRun(guard, 'answering', async () => {
      device.raise(new GPUValidationError('buffer is invalid'));
      device.raise(new GPUOutOfMemoryError('out of memory'));
    });
    await expect(check).rejects.toMatchObject({ code: 'GPU_OUT_OF_MEMORY' });
  });

  it('errors outside any scope and a lost device set the sticky flag; the next run refuses at once', async () => {
    const device = new FakeDevice();
    const guard = new GpuGuard(device);
    device.raise(new GPUValidationError('stray'));
    expect(guard.failed).toMatchObject({ kind: 'validation', message: 'stray' });
    await expect(guardedRun(guard, 'answering', async () => 1)).rejects.toMatchObject({ code: 'GPU_ERROR' });

    const lostDevice = new FakeDevice();
    const lostGuard = new GpuGuard(lostDevice);
    lostDevice.destroy('gone');
    await tick();
    expect(lostGuard.failed).toMatchObject({ kind: 'device-lost', message: 'gone' });
    let ran = false;
    await expect(guardedNow(lostGuard, 'reading an image', async () => (ran = true))).rejects.toMatchObject({ code: 'GPU_DEVICE_LOST' });
    expect(ran).toBe(false);
  });

  it('a run that throws because the device went away reports the loss, with onnxruntime’s error as the cause', async () => {
    const device = new FakeDevice();
    const guard = new GpuGuard(device);
    const ortError = new AppError('MODEL_RUN_FAILED', 'The decoder failed: mapAsync aborted');
    const failing = guardedRun(guard, 'answering', async () => {
      device.destroy('Device was destroyed.');
      throw ortError;
    });
    const error = await failing.catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'GPU_DEVICE_LOST', cause: ortError });
    expect((error as AppError).message).toBe('The GPU device was lost while answering (Device was destroyed.); the answer stops before anything computed after it.');
    expect((error as AppError).hint).toContain('rebuilt from the files already loaded');
  });

  it('a run that throws on a healthy device keeps its own error', async () => {
    const guard = new GpuGuard(new FakeDevice());
    const own = new AppError('CONTEXT_TOO_LONG', 'too long');
    await expect(guardedRun(guard, 'answering', async () => Promise.reject(own))).rejects.toBe(own);
    expect(guard.failed).toBeNull();
  });

  it('after dispose: no listener, and the loss that releasing the sessions causes is not a failure', async () => {
    const device = new FakeDevice();
    const guard = new GpuGuard(device);
    expect(device.listenerCount).toBe(1);
    guard.dispose();
    expect(device.listenerCount).toBe(0);
    device.destroy();
    await tick();
    expect(guard.failed).toBeNull();
  });

  it('without a device (CPU backend) runs are plain and nothing is ever reported', async () => {
    const guard = new GpuGuard(null);
    const { value, check } = await guardedRun(guard, 'answering', async () => 'x');
    expect(value).toBe('x');
    await expect(check).resolves.toBeUndefined();
    expect(await guard.explain(1)).toBeNull();
  });
});

describe('GPU error messages', () => {
  it('say what happened and what to do; from the second failure in a row on, ask for smaller settings', () => {
    const oom = gpuFailureError({ kind: 'out-of-memory', message: 'Not enough memory left.', during: 'reading an image' });
    expect(oom.code).toBe('GPU_OUT_OF_MEMORY');
    expect(oom.message).toBe('The GPU ran out of memory while reading an image (Not enough memory left.).');
    expect(oom.hint).toMatch(/^Try again: .*q4 variant/);
    expect(isGpuFailure(oom)).toBe(true);
    expect(isGpuFailure(new AppError('MODEL_RUN_FAILED', 'x'))).toBe(false);
    expect(withRepeatAdvice(oom, 1)).toBe(oom);
    const twice = withRepeatAdvice(oom, 2);
    expect(twice.code).toBe('GPU_OUT_OF_MEMORY');
    expect(twice.hint).toMatch(/^It failed 2 times in a row: load the model with a shorter max context or the q4 variant/);
  });
});

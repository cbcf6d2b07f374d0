import { describe, expect, it } from 'vitest';
import { parseContentRange, planResponse, rangeHeaders, resumeOffset, retryDelayMs } from './resumePlan.ts';

describe('resumeOffset and rangeHeaders', () => {
  it('resumes after the stored bytes, and starts over when more is stored than the file has', () => {
    expect(resumeOffset(0, 100)).toBe(0);
    expect(resumeOffset(40, 100)).toBe(40);
    expect(resumeOffset(100, 100)).toBe(100);
    expect(resumeOffset(101, 100)).toBe(0);
  });

  it('asks for an open-ended range only when resuming', () => {
    expect(rangeHeaders(0)).toEqual({});
    expect(rangeHeaders(4096)).toEqual({ Range: 'bytes=4096-' });
  });
});

describe('parseContentRange', () => {
  it('reads start, end and total, or an unknown total', () => {
    expect(parseContentRange('bytes 100-199/1000')).toEqual({ start: 100, end: 199, total: 1000 });
    expect(parseContentRange('Bytes 0-0/*')).toEqual({ start: 0, end: 0, total: null });
  });

  it('rejects what is not a satisfied byte range', () => {
    for (const header of [null, '', 'bytes */1000', 'bytes 10-5/100', 'items 0-1/2', 'bytes 1-2']) {
      expect(parseContentRange(header)).toBeNull();
    }
  });
});

describe('planResponse', () => {
  it('appends a fresh 200 and a 206 that starts where asked', () => {
    expect(planResponse(0, 1000, 200, null)).toEqual({ kind: 'append', offset: 0 });
    expect(planResponse(400, 1000, 206, 'bytes 400-999/1000')).toEqual({ kind: 'append', offset: 400 });
  });

  it('trusts a 206 whose Content-Range a cross-origin server did not expose', () => {
    expect(planResponse(400, 1000, 206, null)).toEqual({ kind: 'append', offset: 400 });
  });

  it('starts over when the server ignores Range', () => {
    expect(planResponse(400, 1000, 200, null)).toEqual({ kind: 'restart' });
  });

  it('notices a server file of another length, from a 206 or a 416', () => {
    expect(planResponse(400, 1000, 206, 'bytes 400-799/800')).toEqual({ kind: 'sizeMismatch', serverBytes: 800 });
    expect(planResponse(900, 1000, 416, 'bytes */800')).toEqual({ kind: 'sizeMismatch', serverBytes: 800 });
  });

  it('fails on a 206 for another range and on a bare 416', () => {
    expect(planResponse(400, 1000, 206, 'bytes 0-999/1000')).toMatchObject({ kind: 'fail', reason: expect.stringMatching(/from 0 when asked for bytes from 400/) });
    expect(planResponse(400, 1000, 416, null)).toMatchObject({ kind: 'fail', reason: expect.stringMatching(/416/) });
  });

  it('sorts statuses into missing, worth retrying and fatal', () => {
    expect(planResponse(0, 1000, 404, null)).toEqual({ kind: 'missing' });
    expect(planResponse(0, 1000, 410, null)).toEqual({ kind: 'missing' });
    for (const status of [408, 429, 500, 502, 503]) expect(planResponse(0, 1000, status, null).kind).toBe('retry');
    for (const status of [401, 403, 400]) expect(planResponse(0, 1000, status, null)).toEqual({ kind: 'fail', reason: `HTTP ${status}` });
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, 250))).toEqual([250, 500, 1000, 2000]);
    expect(retryDelayMs(20, 250)).toBe(30_000);
  });
});

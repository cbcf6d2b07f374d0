import { AppError } from '../errors.ts';

/** The AppError a promise rejects with, for tests to read its code; another error is thrown on, and no failure fails. */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

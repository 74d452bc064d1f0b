import { ApiError } from '../../functions/core/errors.js';

/** Runs `act` and returns the ApiError it throws; fails the test if it throws nothing or something else. */
export function thrownApiError(act: () => unknown): ApiError {
  try {
    act();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError, but nothing was thrown');
}

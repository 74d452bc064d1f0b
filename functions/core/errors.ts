/** The one error type the API answers with: mapped to `{ message, help }` and `status` in one middleware. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly help: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, help: string) => new ApiError(400, message, help);

export const fileNotFound = (fileId: string) =>
  new ApiError(404, `No file with fileId "${fileId}"`, 'Check the fileId returned by the upload; a deleted file is gone for good.');

/** Another writer got there first: re-read and try again. */
export class WriteConflict extends Error {
  constructor(what: string) {
    super(`Write conflict on ${what}`);
    this.name = 'WriteConflict';
  }
}

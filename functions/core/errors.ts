/** The one error type the API answers with: mapped to `{ message, help }` and `status` in one middleware. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly help: string,
    /** More fields of the error body beside `message` and `help` (e.g. bulk operations' `missingFileIds`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (message: string, help: string) => new ApiError(400, message, help);

export const fileNotFound = (fileId: string) =>
  new ApiError(404, `No file with fileId "${fileId}"`, 'Check the fileId returned by the upload; a deleted file is gone for good.');

/** A bulk operation names files that do not exist: nothing was changed. */
export const filesNotFound = (missingFileIds: string[]) =>
  new ApiError(
    404,
    `${missingFileIds.length === 1 ? 'A fileId does' : `${missingFileIds.length} fileIds do`} not exist: nothing was changed`,
    'Remove the ids listed in missingFileIds (deleted or mistyped) and send the request again.',
    { missingFileIds },
  );

/** Another writer got there first: re-read and try again. */
export class WriteConflict extends Error {
  constructor(what: string) {
    super(`Write conflict on ${what}`);
    this.name = 'WriteConflict';
  }
}

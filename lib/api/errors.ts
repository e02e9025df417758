// One error type and one JSON shape for every API response that is not a success.
import { z } from 'zod';
import { databaseFailure } from '../db/failure';

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  migration_failed: 422,
  too_many_requests: 429,
  internal: 500,
  database_unavailable: 503,
  /** The embedded database's only connection is held by a run or a job; try again when it ends. */
  database_busy: 503,
  /** The client went away before the answer (nginx's 499): nobody reads it, nothing failed. */
  client_closed_request: 499,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  /** Set when the refusal already has its own audit row (a failed sign-in), so none is added. */
  audited = false;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Whether a database error is about a value (SQLSTATE class 22: out of range, bad encoding...). */
function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/**
 * Maps anything thrown to an ApiError; unknown errors are masked (the log keeps the cause). A
 * database that cannot be used is a 503 saying what failed; a value the database refused (input
 * that got past validation) is a 400, never a 500.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof z.ZodError) return new ApiError('bad_request', 'Invalid input', err.issues);
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'ShadowStoppedError' && (err as { reason?: unknown }).reason === 'cancelled') {
    return new ApiError('client_closed_request', (err as Error).message);
  }
  // The targets file names no secrets (only variables' names): what is wrong in it is said.
  if (name === 'TargetsFileError') return new ApiError('internal', (err as Error).message);
  const failure = databaseFailure(err);
  if (failure) {
    return new ApiError('database_unavailable', `The database cannot be used: ${failure.reason}. Try again once it is back.`, { reason: failure.kind });
  }
  // A library may wrap the database's error (better-auth's "Failed to get session" does): the
  // cause says what happened.
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isDataException(e)) {
      const code = (e as { code: string }).code;
      return new ApiError('bad_request', `A value in this request is not one the database accepts (SQLSTATE ${code}); check the parameters`);
    }
  }
  return new ApiError('internal', 'Internal error');
}

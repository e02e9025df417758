// One error type and one JSON shape for every API response that is not a success.
import { z } from 'zod';

export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
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

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', '57P01', '57P03', '53300', '08006', '08001']);

/** Maps anything thrown to an ApiError; unknown errors are masked (the log keeps the cause). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof z.ZodError) return new ApiError('bad_request', 'Invalid input', err.issues);
  const code = (err as { code?: unknown } | null)?.code;
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'ShadowStoppedError' && (err as { reason?: unknown }).reason === 'cancelled') {
    return new ApiError('client_closed_request', (err as Error).message);
  }
  if ((typeof code === 'string' && CONNECTION_ERRORS.has(code)) || name === 'KnexTimeoutError') {
    return new ApiError('database_unavailable', 'The database cannot be reached');
  }
  return new ApiError('internal', 'Internal error');
}

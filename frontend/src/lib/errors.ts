/**
 * The frontend's copy of Switchboard's error table (backend/apierr). Hub
 * responses carry {"error": {code, message, doc_url, field}} and Go bindings
 * reject with the same {code, message, doc_url, field} body (app.FormatError),
 * so one type covers both. A Go test (app/mirror_test.go) fails when a code
 * is added to apierr and not here: append new codes, never rename.
 */
export const ERROR_STATUS = {
  INVALID_JSON: 400,
  INVALID_REQUEST: 400,
  VALIDATION_FAILED: 422,
  INVALID_PHONE: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  METHOD_NOT_ALLOWED: 405,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_CONFLICT: 409,
  REQUEST_TIMEOUT: 408,
  BAD_SIGNATURE: 401,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  LOGIN_LOCKED: 429,
  RATE_LIMITED: 429,
  SESSION_EXPIRED: 422,
  OPTED_OUT: 422,
  TEMPLATE_NOT_FOUND: 422,
  TEMPLATE_PARAMS_MISMATCH: 422,
  ACCOUNT_REQUIRED: 422,
  UPSTREAM_ERROR: 502,
  UPSTREAM_UNAVAILABLE: 503,
  RESYNC_REQUIRED: 410,
  HUB_UNREACHABLE: 503,
  NOT_SIGNED_IN: 401,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

/** A code from the table above. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The error body shared by the hub API and the Go bindings. */
export interface AppError {
  code: ErrorCode;
  message: string;
  doc_url?: string;
  field?: string;
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}

/**
 * Normalises anything a binding or fetch can reject with into an AppError:
 * the structured body, an {"error": body} envelope, a plain string (errors
 * raised by Wails itself) or a JS Error (the bridge is gone).
 */
export function toAppError(err: unknown): AppError {
  if (err && typeof err === 'object') {
    const envelope = (err as { error?: unknown }).error;
    if (envelope && typeof envelope === 'object') return toAppError(envelope);
    const body = err as Partial<AppError> & { message?: unknown };
    if (isErrorCode(body.code)) {
      return {
        code: body.code,
        message: typeof body.message === 'string' ? body.message : body.code,
        doc_url: body.doc_url,
        field: body.field || undefined,
      };
    }
    if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  }
  if (typeof err === 'string' && err !== '') return { code: 'INTERNAL', message: err };
  return { code: 'INTERNAL', message: 'unexpected error' };
}

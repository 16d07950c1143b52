// Typed errors of mutations (`... on UserError { code message field }`) and the top-level
// errors of queries (`extensions.code`, `extensions.field`), placed next to the input they name.
import type { CombinedError } from 'urql';

export interface UserErrorLike {
  __typename: string;
  code: string;
  message: string;
  field: string[] | null;
}

/** The result union member is a typed error (it implements UserError). */
export function isUserError<T extends { __typename: string }>(
  result: T,
): result is Extract<T, UserErrorLike> {
  return 'code' in result && 'message' in result;
}

/** ["input", "lines", "0", "reason"] → "input.lines.0.reason". */
export function fieldKey(path: readonly string[] | null | undefined): string {
  return (path ?? []).join('.');
}

/** An error shown by a form: the message, the input key it names, and the error itself. */
export interface FormError {
  message: string;
  key: string;
  code: string;
  error: unknown;
}

export function fromUserError(error: UserErrorLike): FormError {
  return { message: error.message, key: fieldKey(error.field), code: error.code, error };
}

export function fromCombinedError(error: CombinedError | undefined): FormError | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  if (first) {
    const ext = first.extensions as { code?: unknown; field?: unknown };
    const field = Array.isArray(ext.field) ? (ext.field as string[]) : null;
    return {
      message: first.message,
      key: fieldKey(field),
      code: typeof ext.code === 'string' ? ext.code : 'ERROR',
      error: first,
    };
  }
  return {
    message: 'The server cannot be reached; try again.',
    key: '',
    code: 'NETWORK',
    error: error.networkError,
  };
}

/** The message for one input, when the error names it. */
export function errorFor(error: FormError | null, key: string): string | undefined {
  return error && error.key === key ? error.message : undefined;
}

/** The message when the error names none of the form's inputs (shown at the form's top). */
export function generalError(error: FormError | null, keys: readonly string[]): string | undefined {
  return error && !keys.includes(error.key) ? error.message : undefined;
}

export function errorCode(error: CombinedError | undefined): string | undefined {
  const ext = error?.graphQLErrors[0]?.extensions as { code?: unknown } | undefined;
  return typeof ext?.code === 'string' ? ext.code : undefined;
}

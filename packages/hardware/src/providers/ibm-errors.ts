import { UserError } from "@natural-quantization/core";

/** Environment variables the IBM provider reads its credentials from (and nowhere else). */
export const IBM_KEY_ENV = "IBM_CLOUD_API_KEY";
export const IBM_CRN_ENV = "IBM_QUANTUM_CRN";

/** IBM's error code for circuits that are not in the backend's instruction set (non-ISA). */
export const NON_ISA_ERROR_CODE = 1517;

/** A failure reported by IBM Cloud IAM or IBM Quantum, as one line a user can act on. */
export class IbmRuntimeError extends UserError {
  constructor(
    message: string,
    /** HTTP status, or 0 when the failure came from a job's state rather than a response. */
    readonly status: number,
    /** IBM's error code when the service gave one (e.g. 1517). */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** The service's error text and code from a response body of any of IBM's error shapes. */
export function serviceError(body: unknown): { message: string | null; code: string | null } {
  if (typeof body !== "object" || body === null) return { message: null, code: null };
  const b = body as Record<string, unknown>;
  const first = Array.isArray(b.errors) && typeof b.errors[0] === "object" ? (b.errors[0] as Record<string, unknown>) : null;
  const nested = typeof b.error === "object" && b.error !== null ? (b.error as Record<string, unknown>) : null;
  const source = first ?? nested ?? b;
  const message = source.message ?? source.errorMessage ?? b.message ?? b.errorMessage ?? b.title ?? null;
  const code = source.code ?? source.errorCode ?? b.code ?? b.errorCode ?? null;
  return {
    message: message === null ? null : oneLine(String(message)),
    code: code === null ? null : String(code),
  };
}

/** The one-line error for a failed request (status >= 400 that retrying will not fix). */
export function errorForResponse(what: string, status: number, body: unknown): IbmRuntimeError {
  const { message, code } = serviceError(body);
  const detail = message ? `: ${message}` : "";
  if (code === String(NON_ISA_ERROR_CODE)) return nonIsaError(message);
  if (status === 401 || status === 403) {
    return new IbmRuntimeError(
      `IBM Quantum refused the credentials (HTTP ${status}${detail}); check ${IBM_KEY_ENV} (an IBM Cloud API key) and ${IBM_CRN_ENV} (the CRN of a Quantum instance the key can use)`,
      status,
      code,
    );
  }
  if (status === 409) {
    return new IbmRuntimeError(
      `IBM Quantum refused the job for quota or instance limits (HTTP 409${detail}); wait for running jobs to finish or use an instance with time left`,
      status,
      code,
    );
  }
  return new IbmRuntimeError(`${what} failed (HTTP ${status}${code ? `, code ${code}` : ""}${detail})`, status, code);
}

/**
 * A request that must not be sent twice (a job submission) may or may not have reached the
 * service: the connection broke after it was sent, or a server error answered it. The caller
 * must look the job up (by its tag) before submitting anything again.
 */
export class OutcomeUnknownError extends IbmRuntimeError {}

/** The service refused a request as too large (HTTP 413): nothing was accepted, a smaller one may be. */
export class PayloadTooLargeError extends IbmRuntimeError {}

export function nonIsaError(reason: string | null): IbmRuntimeError {
  return new IbmRuntimeError(
    `IBM Quantum rejected the circuits as non-ISA (error ${NON_ISA_ERROR_CODE}${reason ? `: ${reason}` : ""}); compile them for the target backend (its basis gates and coupling map) before submitting`,
    0,
    String(NON_ISA_ERROR_CODE),
  );
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}

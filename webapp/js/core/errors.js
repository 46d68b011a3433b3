/**
 * Pure: turn an error (usually an ApiError) into words a person understands.
 * @module core/errors
 */

/**
 * @typedef {object} ErrorLike
 * @property {number} [status] HTTP status; 0 for a network failure
 * @property {string} [title]
 * @property {string} [detail]
 * @property {string} [message]
 * @property {string} [name] "AbortError" for a cancelled request
 * @property {string} [requestId]
 * @property {string} [path] the API path that failed
 * @property {number | null} [retryAfter] seconds from a Retry-After header
 * @property {Record<string, string>} [fieldErrors]
 * @property {any} [problem] the raw error body (problem details, or an OAuth error body of /auth/token)
 */

/**
 * Lower-case the first letter of a sentence so it reads after a colon.
 * @param {string} text
 * @returns {string}
 */
function tail(text) {
  const trimmed = String(text).trim();
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}

/**
 * A readable sentence for an error.
 * @param {unknown} error an ErrorLike, an Error, a string, or nothing
 * @returns {string}
 */
export function humanMessage(error) {
  if (!error) return "Something went wrong. Please try again.";
  if (typeof error === "string") return error;
  const e = /** @type {ErrorLike} */ (error);
  const status = typeof e.status === "number" ? e.status : undefined;
  const detail = e.detail ? String(e.detail).trim() : "";
  const ref = e.requestId ? ` (reference ${e.requestId})` : "";
  if (status === undefined) {
    if (e.name === "AbortError") return "The request was cancelled.";
    return "Something went wrong in the app. Please reload the page and try again.";
  }
  const oauthError = e.problem && typeof e.problem === "object" ? e.problem.error : undefined;
  const wrongCredentials = oauthError === "invalid_grant" || (status === 401 && e.path && e.path.startsWith("/auth/"));
  if (wrongCredentials && status !== 429) {
    return "The e-mail address or password is not correct.";
  }
  switch (status) {
    case 0:
      return "The platform cannot be reached. Check your connection and try again.";
    case 400:
      return detail ? `The request was not accepted: ${tail(detail)}` : "The request was not accepted.";
    case 401:
      return "Your session has expired. Please log in again.";
    case 403:
      return "You are not allowed to do this.";
    case 404:
      return "What you are looking for could not be found. It may have been removed.";
    case 409:
      return detail ? `This order has moved on: ${tail(detail)}` : "This order has moved on. Reload to see its current state.";
    case 412:
      return "Someone else changed this in the meantime. Reload and try again.";
    case 413:
      return "What you sent is too large.";
    case 422:
      return "Some fields need attention.";
    case 429: {
      const wait = typeof e.retryAfter === "number" && e.retryAfter > 0
        ? ` Try again in ${e.retryAfter} second${e.retryAfter === 1 ? "" : "s"}.`
        : " Try again in a moment.";
      return `Too many requests.${wait}`;
    }
    case 503:
      return "The negotiating agents are not reachable right now. Try again in a moment.";
    default:
      if (status >= 500) return `Something went wrong on the platform. Please try again later${ref}.`;
      return detail || e.title || `The request failed (${status}).`;
  }
}

/**
 * Parse a Retry-After header value (seconds or HTTP date) to whole seconds, or null.
 * @param {string | null | undefined} value
 * @param {number} [now] milliseconds since the epoch
 * @returns {number | null}
 */
export function retryAfterSeconds(value, now = Date.now()) {
  if (value === null || value === undefined || value === "") return null;
  const text = String(value).trim();
  if (/^\d+$/.test(text)) return Number(text);
  const when = Date.parse(text);
  if (Number.isNaN(when)) return null;
  return Math.max(0, Math.ceil((when - now) / 1000));
}

/**
 * Field errors of a problem body: {field: message}, dropping the "body." / "query." prefix.
 * @param {any} problem RFC 9457 body with errors: [{field, message}]
 * @returns {Record<string, string>}
 */
export function fieldErrorsOf(problem) {
  /** @type {Record<string, string>} */
  const out = {};
  const list = problem && Array.isArray(problem.errors) ? problem.errors : [];
  for (const item of list) {
    if (!item || typeof item !== "object") continue;
    const raw = String(item.field ?? item.loc ?? "");
    const field = raw.replace(/^(body|query|path|header)\./, "");
    if (!(field in out)) out[field] = String(item.message ?? item.msg ?? "is not valid");
  }
  return out;
}

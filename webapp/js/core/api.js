/**
 * The one way the app talks to the gateway's REST API.
 * @module core/api
 */

import { fieldErrorsOf, retryAfterSeconds } from "./errors.js";
import { currentSession, expire } from "./session.js";

/** An API call failed; carries the RFC 9457 problem details when the gateway sent them. */
export class ApiError extends Error {
  /**
   * @param {object} init
   * @param {number} init.status HTTP status, 0 when the platform could not be reached
   * @param {string} [init.title]
   * @param {string} [init.detail]
   * @param {any} [init.problem] the raw response body or null
   * @param {string} [init.requestId]
   * @param {string} [init.path]
   * @param {number | null} [init.retryAfter]
   */
  constructor({ status, title = "", detail = "", problem = null, requestId = "", path = "", retryAfter = null }) {
    super(detail || title || `HTTP ${status}`);
    this.name = "ApiError";
    /** @type {number} */
    this.status = status;
    /** @type {string} */
    this.title = title;
    /** @type {string} */
    this.detail = detail;
    /** @type {Record<string, string>} field name (without "body.") -> message */
    this.fieldErrors = fieldErrorsOf(problem);
    /** @type {string} */
    this.requestId = requestId;
    /** @type {any} */
    this.problem = problem;
    /** @type {string} */
    this.path = path;
    /** @type {number | null} */
    this.retryAfter = retryAfter;
  }
}

/**
 * Base URL of the API: the same origin.
 * @returns {string}
 */
export function apiBase() {
  return "";
}

/**
 * Call the API.
 * @param {string} path e.g. "/orders" (query string allowed)
 * @param {object} [options]
 * @param {string} [options.method]
 * @param {any} [options.json] body sent as JSON
 * @param {Record<string, string> | URLSearchParams} [options.form] body sent as form-urlencoded
 * @param {AbortSignal} [options.signal]
 * @param {Record<string, string>} [options.headers] extra headers (e.g. If-Match)
 * @returns {Promise<any>} parsed JSON, or null when there is no body
 * @throws {ApiError}
 */
export async function api(path, { method = "GET", json, form, signal, headers = {} } = {}) {
  /** @type {Record<string, string>} */
  const sent = { Accept: "application/json", ...headers };
  const session = currentSession();
  if (session && session.token) sent.Authorization = `Bearer ${session.token}`;
  /** @type {BodyInit | undefined} */
  let body;
  if (json !== undefined) {
    sent["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    sent["Content-Type"] = "application/x-www-form-urlencoded";
    body = (form instanceof URLSearchParams ? form : new URLSearchParams(form)).toString();
  }
  /** @type {Response} */
  let response;
  try {
    response = await fetch(apiBase() + path, { method, headers: sent, body, signal, cache: "no-store" });
  } catch (err) {
    if (err && /** @type {any} */ (err).name === "AbortError") throw err;
    throw new ApiError({ status: 0, title: "Network error", detail: String(err), path });
  }
  const text = response.status === 204 ? "" : await response.text();
  /** @type {any} */
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) return data;
  const problem = data && typeof data === "object" ? data : null;
  const error = new ApiError({
    status: response.status,
    title: (problem && problem.title) || response.statusText,
    detail: (problem && (problem.detail || problem.error_description)) || "",
    problem,
    requestId: (problem && problem.request_id) || response.headers.get("X-Request-ID") || "",
    path,
    retryAfter: retryAfterSeconds(response.headers.get("Retry-After")),
  });
  if (response.status === 401 && !path.startsWith("/auth/") && session) expire();
  throw error;
}

/**
 * Pure formatting helpers (no DOM access), importable from node.
 * @module core/format
 */

/** @type {Readonly<Record<string, string>>} */
export const STATUS_LABELS = Object.freeze({
  received: "Received",
  accepted: "Accepted",
  rejected: "Rejected",
  sourcing: "Finding suppliers",
  negotiating: "Negotiating",
  quoted: "Quoted",
  countered: "Countered",
  confirmed: "Confirmed",
  declined: "Declined",
  contracting: "Contracting",
  contracted: "Contracted",
  in_production: "In production",
  produced: "Produced",
  invoiced: "Invoiced",
  paid: "Paid",
  shipped: "Shipped",
  delivered: "Delivered",
  completed: "Completed",
  cancelled: "Cancelled",
  failed: "Failed",
});

/**
 * Human label of an order status; unknown statuses are turned into words ("on_hold" -> "On hold").
 * @param {string | null | undefined} status
 * @returns {string}
 */
export function statusLabel(status) {
  if (!status) return "Unknown";
  const known = STATUS_LABELS[status];
  if (known) return known;
  const words = String(status).replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Format an amount of money, e.g. money("1234.5", "EUR") -> "€1,234.50".
 * @param {string | number | null | undefined} amount decimal string or number
 * @param {string} [currency] ISO 4217 code, "EUR" when missing
 * @returns {string}
 */
export function money(amount, currency = "EUR") {
  if (amount === null || amount === undefined || amount === "") return "—";
  const value = typeof amount === "number" ? amount : Number(amount);
  if (!Number.isFinite(value)) return String(amount);
  const code = currency || "EUR";
  try {
    return new Intl.NumberFormat("en-GB", { style: "currency", currency: code }).format(value);
  } catch {
    return `${value.toFixed(2)} ${code}`;
  }
}

/**
 * Parse an ISO date ("2027-03-01") as a local calendar date, or a date-time as an instant.
 * @param {string} iso
 * @returns {Date | null}
 */
function parse(iso) {
  if (!iso) return null;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso));
  const date = day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * "1 Mar 2027" for an ISO date or date-time.
 * @param {string} isoDate
 * @returns {string}
 */
export function dateLabel(isoDate) {
  const date = parse(isoDate);
  if (!date) return isoDate ? String(isoDate) : "—";
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" }).format(date);
}

/**
 * "1 Mar 2027, 18:00" for an ISO date-time (shown in local time).
 * @param {string} iso
 * @returns {string}
 */
export function dateTimeLabel(iso) {
  const date = parse(iso);
  if (!date) return iso ? String(iso) : "—";
  const time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false })
    .format(date);
  return `${dateLabel(iso)}, ${time}`;
}

/**
 * @param {Date} date
 * @returns {string} local YYYY-MM-DD
 */
function isoOf(date) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * Today's local date as YYYY-MM-DD.
 * @returns {string}
 */
export function todayIso() {
  return isoOf(new Date());
}

/**
 * Add n days to a YYYY-MM-DD date (calendar days, DST-safe).
 * @param {string} isoDate
 * @param {number} n
 * @returns {string}
 */
export function addDays(isoDate, n) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(isoDate));
  if (!m) throw new RangeError(`not an ISO date: ${isoDate}`);
  const date = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n);
  return isoOf(date);
}

/**
 * The one status palette of the app, named like the tones of css/app.css: "info" (a step reached),
 * "progress" (the agents are at work), "attention" (the customer's turn), "success" (done),
 * "danger" (refused or failed) and "neutral" (cancelled, or a status the app does not know).
 * @type {Readonly<Record<string, StatusTone>>}
 */
export const STATUS_TONES = Object.freeze({
  received: "info",
  accepted: "info",
  sourcing: "progress",
  negotiating: "progress",
  quoted: "attention",
  countered: "progress",
  confirmed: "info",
  contracting: "progress",
  contracted: "info",
  in_production: "progress",
  produced: "info",
  invoiced: "attention",
  paid: "success",
  shipped: "attention",
  delivered: "success",
  completed: "success",
  rejected: "danger",
  declined: "danger",
  cancelled: "neutral",
  failed: "danger",
});

/** @typedef {"info" | "progress" | "attention" | "success" | "danger" | "neutral"} StatusTone */

/**
 * Colour family of an order status, for badges, order lists and the timeline.
 * @param {string} status
 * @returns {StatusTone}
 */
export function statusTone(status) {
  return STATUS_TONES[status] || "neutral";
}

/**
 * An id or code in words: "textile-cutting-sewing" -> "textile cutting sewing".
 * @param {unknown} code
 * @returns {string}
 */
export function codeWords(code) {
  return String(code ?? "").replace(/[-_]+/g, " ").replace(/\s+/g, " ").trim();
}

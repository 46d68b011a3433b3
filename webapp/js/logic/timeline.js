/**
 * The entries of an order's status timeline (pure: no DOM).
 *
 * The order's `history` (GET /orders/{id}) is the record; push events (js/core/push.js) arrive before
 * the next fetch shows them. `timelineEntries(order, events)` merges both: an event that matches a
 * history entry (same status, within MATCH_MS) only adds what the history lacks (price, progress);
 * an event without a match is shown as a live entry. Entries are oldest first.
 */

export const MATCH_MS = 10000;

const BAD = new Set(["rejected", "declined", "cancelled", "failed"]);
const GOOD = new Set(["paid", "delivered", "completed"]);
const WAITING_FOR_CUSTOMER = new Set(["quoted", "invoiced", "shipped"]);

/**
 * The tone of a status, named like the badge tones of css/app.css: "danger" (the order stopped),
 * "success" (done), "attention" (the customer's turn) or "progress" (the agents are at work).
 * @param {string} status
 * @returns {"danger"|"success"|"attention"|"progress"}
 */
export function statusTone(status) {
  if (BAD.has(status)) return "danger";
  if (GOOD.has(status)) return "success";
  if (WAITING_FOR_CUSTOMER.has(status)) return "attention";
  return "progress";
}

const LONG_HEX = /\b[0-9a-f]{24,}\b/gi;
const UUID = /\b([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/**
 * A note with long identifiers shortened: UUIDs to their first 8 characters, ledger hashes to 10 + "…".
 * @param {string} note
 */
export function readableNote(note) {
  return String(note || "")
    .replace(UUID, "$1")
    .replace(LONG_HEX, (hex) => `${hex.slice(0, 10)}…`);
}

/**
 * @typedef {object} TimelineEntry
 * @property {string} key       stable identity for rendering
 * @property {string} status    the status the order moved to
 * @property {string} at        ISO date-time
 * @property {string} note
 * @property {string} actor     "" when unknown
 * @property {string|null} price     decimal string (quotation, invoice)
 * @property {string|null} currency
 * @property {number|null} progress  production progress in percent
 * @property {boolean} live     true while only a push event knows it
 */

/**
 * @param {string} iso
 * @returns {number}
 */
function time(iso) {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * The timeline of an order from its history plus push events.
 * @param {{id: string, created_at?: string, history?: Array<object>}} order
 * @param {Array<object>} [events] push events (any order; others' orders are ignored)
 * @returns {TimelineEntry[]}
 */
export function timelineEntries(order, events = []) {
  /** @type {TimelineEntry[]} */
  const entries = [];
  const history = Array.isArray(order.history) ? order.history : [];
  const placedInHistory = history.some((h) => h.to_status === "received");
  if (order.created_at && !placedInHistory) {
    entries.push({
      key: "placed",
      status: "received",
      at: order.created_at,
      note: "Order placed",
      actor: "",
      price: null,
      currency: null,
      progress: null,
      live: false,
    });
  }
  history.forEach((h, index) => {
    entries.push({
      key: `h${index}`,
      status: h.to_status,
      at: h.at,
      note: h.note || "",
      actor: h.actor || "",
      price: null,
      currency: null,
      progress: null,
      live: false,
    });
  });

  const matched = new Set();
  const seen = new Set();
  const mine = events
    .filter((e) => e && e.order_id === order.id && e.status)
    .sort((a, b) => time(a.at) - time(b.at));
  for (const event of mine) {
    if (event.id !== undefined && seen.has(event.id)) continue;
    if (event.id !== undefined) seen.add(event.id);
    const twin = entries.find(
      (e) =>
        !matched.has(e) &&
        !e.live &&
        e.status === event.status &&
        Math.abs(time(e.at) - time(event.at)) <= MATCH_MS,
    );
    if (twin) {
      matched.add(twin);
      if (event.price !== null && event.price !== undefined) {
        twin.price = String(event.price);
        twin.currency = event.currency || null;
      }
      if (typeof event.progress === "number") twin.progress = event.progress;
      continue;
    }
    entries.push({
      key: `e${event.id ?? entries.length}`,
      status: event.status,
      at: event.at,
      note: event.note || "",
      actor: "",
      price: event.price !== null && event.price !== undefined ? String(event.price) : null,
      currency: event.currency || null,
      progress: typeof event.progress === "number" ? event.progress : null,
      live: true,
    });
  }
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => time(a.entry.at) - time(b.entry.at) || a.index - b.index)
    .map(({ entry }) => entry);
}

/**
 * Short id of an order for headings: the first 8 characters of its UUID.
 * @param {string} id
 */
export function shortId(id) {
  return String(id || "").slice(0, 8);
}

/**
 * The entries of an order's status timeline (pure: no DOM).
 *
 * The order's `history` (GET /orders/{id}) is the record; push events (js/core/push.js) arrive before
 * the next fetch shows them. `timelineEntries(order, events)` merges both: an event that matches a
 * history entry (same status, within MATCH_MS) only adds what the history lacks (price, progress);
 * an event without a match is shown as a live entry. Entries are oldest first.
 *
 * Every entry is told in words by `eventSentence`: from its event code and parameters (EVENTS, the same
 * vocabulary as the platform's ontology/events.py, which a test compares), else a neutral sentence of the
 * status it moved to. A history note is never shown as such (it may hold what people should not read).
 */

import { money, dateLabel } from "../core/format.js";

export const MATCH_MS = 10000;

/** The push events that are steps of the order (a negotiation message is not). */
const STEP_KINDS = new Set(["status", "quotation", "invoice"]);

/**
 * Event code -> sentence; `{name}` stands for the parameter `name`, written as PARAM_KINDS says.
 * @type {Readonly<Record<string, string>>}
 */
export const EVENTS = Object.freeze({
  "order-taken": "The manufacturer received the order and is looking at it.",
  "accepted": "The manufacturer accepted the order; the earliest delivery is {earliest_delivery}.",
  "rejected": "The manufacturer could not take the order: {reason}.",
  "date-too-soon": "The manufacturer could not take the order: the earliest delivery it can promise is {earliest_delivery}.",
  "date-too-late": "The manufacturer could not take the order: it takes orders for delivery up to {latest_delivery}.",
  "sourcing": "Looking for suppliers for {parts}.",
  "nothing-to-source": "Every part is made in the manufacturer's own workshop.",
  "negotiating": "Agreeing prices and dates with suppliers for {parts}.",
  "quotation-sent": "Quotation: {total}, delivered on {delivery_date}.",
  "quotation-revised": "Revised quotation: {total}, delivered on {delivery_date}.",
  "counter-offer": "Counter-offer: {price}.",
  "quotation-accepted": "The quotation was accepted.",
  "quotation-declined": "The quotation was declined.",
  "cancelled": "The order was cancelled.",
  "contracting": "The agreement is being signed.",
  "contract-waiting": "Signing the agreement waits: the contract register does not answer. It goes on by itself as soon as it does.",
  "contracts-committed": "The agreement is signed.",
  "part-received": "A part arrived on {date}.",
  "part-late": "A part arrived {days} late.",
  "part-late-penalty": "A part arrived {days} late; the supplier's agreed late-delivery penalty is claimed.",
  "delivery-moved": "A part arrived {days} late: delivery moves from {from_date} to {to_date}.",
  "production-started": "Production started.",
  "production-started-early": "Production started before {parts} arrived: {note}",
  "production-progress": "Production is {percent} done. {note}",
  "produced": "Production is finished.",
  "invoice-raised": "Invoice of {total}, due on {due_date}.",
  "payment-announced": "Payment of {total} announced; waiting for the manufacturer to confirm it arrived.",
  "payment-received": "Payment of {total} received on {date}.",
  "shipped": "Shipped with {carrier}, reference {reference}.",
  "delivered": "Delivered on {date}.",
  "delivered-late": "Delivered on {date}, {days} late.",
  "delivered-late-penalty": "Delivered on {date}, {days} late; the customer may claim a penalty of {penalty}.",
  "suppliers-paid": "Suppliers paid: {paid} of {of}.",
  "completed": "The order is complete.",
  "failed": "The order stopped: {reason}.",
});

/**
 * What each event parameter is (how it is written).
 * @type {Readonly<Record<string, "money"|"currency"|"date"|"days"|"parts"|"count"|"percent"|"text">>}
 */
export const PARAM_KINDS = Object.freeze({
  total: "money",
  price: "money",
  penalty: "money",
  currency: "currency",
  earliest_delivery: "date",
  latest_delivery: "date",
  delivery_date: "date",
  due_date: "date",
  date: "date",
  from_date: "date",
  to_date: "date",
  days: "days",
  parts: "parts",
  paid: "count",
  of: "count",
  percent: "percent",
  reason: "text",
  note: "text",
  carrier: "text",
  reference: "text",
});

/**
 * Reason codes of failed and rejected orders, in words.
 * @type {Readonly<Record<string, string>>}
 */
export const REASONS = Object.freeze({
  "unknown-product": "the product is not in the catalogue",
  "invalid-customisation": "the chosen options do not fit the product",
  "wrong-manufacturer": "the product is made by another manufacturer",
  "infeasible-delivery-date": "the delivery date cannot be met",
  "unsupported-process": "a part needs work no one offers",
  "rejected-by-manufacturer": "the manufacturer declined it",
  "manual-acceptance": "no one decided on it in time",
  "sourcing-not-started": "the supplier search was not started in time",
  "sourcing-failed": "the supplier search failed",
  "no-supplier": "no supplier makes one of the parts",
  "part-not-covered": "no supplier agreed to make one of the parts",
  "network-incomplete": "no supplier agreed to make one of the parts",
  "network-too-late": "the parts would arrive too late",
  "customer-gone": "the customer's side stopped answering",
  "bad-counter-offer": "the counter-offer could not be read",
  "quotation-lapsed": "the quotation was not answered in time",
  "contract-failed": "the agreement could not be signed",
  "agreement-conflict": "the agreement on the ledger differs from the order",
  "agreement-missing": "the signed agreement could not be found",
  "party-not-onboarded": "a party is not set up to sign agreements yet",
  "manufacturer-restarted": "the manufacturer's system restarted",
  "agents-unreachable": "the agents could not take it",
  "not-answered": "the manufacturer did not answer",
  "refused": "the manufacturer refused it",
  "internal-error": "something went wrong on the platform",
});

export const SOME_REASON = "something went wrong";

/**
 * A neutral sentence per status, for an entry without a known event.
 * @type {Readonly<Record<string, string>>}
 */
export const STATUS_SENTENCES = Object.freeze({
  received: "The order was placed.",
  accepted: "The manufacturer accepted the order.",
  rejected: "The manufacturer could not take the order.",
  sourcing: "Looking for suppliers.",
  negotiating: "Agreeing prices and dates with suppliers.",
  quoted: "A quotation was sent.",
  countered: "A counter-offer was made.",
  confirmed: "The quotation was accepted.",
  declined: "The quotation was declined.",
  contracting: "The agreement is being signed.",
  contracted: "The agreement is signed.",
  in_production: "Production is under way.",
  produced: "Production is finished.",
  invoiced: "An invoice was raised.",
  paid: "The invoice is paid.",
  shipped: "The order was shipped.",
  delivered: "The order was delivered.",
  completed: "The order is complete.",
  cancelled: "The order was cancelled.",
  failed: "The order stopped.",
});

/**
 * One parameter in words.
 * @param {string} name
 * @param {unknown} value
 * @param {string} currency
 */
function paramWords(name, value, currency) {
  const kind = PARAM_KINDS[name];
  if (kind === "money") return money(/** @type {string} */ (value), currency || "EUR");
  if (kind === "date") return dateLabel(String(value));
  if (kind === "days") return Number(value) === 1 ? "1 day" : `${value} days`;
  if (kind === "parts") return Number(value) === 1 ? "1 part" : `${value} parts`;
  if (kind === "percent") return `${value} %`;
  if (name === "reason") return REASONS[String(value)] || SOME_REASON;
  return String(value ?? "");
}

/**
 * An entry in words: the sentence of its event (when the event is known and carries every parameter its
 * sentence names), else the neutral sentence of its status; never its note.
 * @param {{status: string, event?: string|null, params?: Record<string, unknown>|null}} entry
 * @returns {string}
 */
export function eventSentence({ status, event, params }) {
  const template = event ? EVENTS[event] : undefined;
  const given = params || {};
  if (template) {
    let complete = true;
    const text = template.replace(/\{([a-z_]+)\}/g, (_, name) => {
      if (!(name in given)) complete = false;
      return paramWords(name, given[name], String(given.currency || ""));
    });
    if (complete) return text.trim();
  }
  return STATUS_SENTENCES[status] || "The order moved on.";
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
 * @property {string|null} event   the event code, null when unknown
 * @property {Record<string, unknown>|null} params the event's parameters
 * @property {string} sentence  what happened, in words (eventSentence)
 * @property {string} actor     "" when unknown
 * @property {string|null} price     decimal string (quotation, invoice)
 * @property {string|null} currency
 * @property {number|null} progress  production progress in percent
 * @property {boolean} live     true while only a push event knows it
 */

/**
 * A change of an order's status as its history holds it (gateway/schemas/orders.py, StatusChangePublic).
 * @typedef {object} StatusChange
 * @property {string} to_status
 * @property {string} at          ISO date-time
 * @property {string} [actor]
 * @property {string | null} [event]
 * @property {Record<string, unknown> | null} [params]
 */

/** @typedef {import("../core/push.js").OrderEvent} OrderEvent */
/** @typedef {{id: string, created_at?: string, history?: StatusChange[]}} TimelineOrder */

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
 * @param {TimelineOrder} order
 * @param {OrderEvent[]} [events] push events (any order; others' orders are ignored)
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
      event: null,
      params: null,
      sentence: STATUS_SENTENCES.received,
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
      event: h.event || null,
      params: h.params || null,
      sentence: eventSentence({ status: h.to_status, event: h.event, params: h.params }),
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
    .filter((e) => e && e.order_id === order.id && e.status && (!e.kind || STEP_KINDS.has(e.kind)))
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
      if (!twin.event && event.event) {
        twin.event = event.event;
        twin.params = event.params || null;
        twin.sentence = eventSentence(twin);
      }
      continue;
    }
    entries.push({
      key: `e${event.id ?? entries.length}`,
      status: event.status,
      at: event.at,
      event: event.event || null,
      params: event.params || null,
      sentence: eventSentence(event),
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
 * How people name an order: "Order 1042" (its number), "Order" when the number is not known.
 * @param {{number?: number|null}} order
 */
export function orderName(order) {
  return order && Number.isInteger(order.number) ? `Order ${order.number}` : "Order";
}

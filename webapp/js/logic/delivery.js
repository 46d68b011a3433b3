/**
 * What the customer reads about the delivery of an order (pure: no DOM, importable from node).
 *
 * The truth is the order agreement on the ledger, as GET /orders/{id}/delivery gives it (read with the
 * customer's own ledger session): `{delivery_date, currency, carrier, reference, shipped_at, received_at,
 * days_late, penalty_per_day, penalty_cap, penalty_claimed}`. Until it can be read (no ledger, or not
 * yet), a push event of a shipped order carries the carrier and its reference.
 *
 *   deliverySummary(order, delivery)   // {shipped, received, late, penalty, canConfirm}
 *
 * @module logic/delivery
 */

import { money } from "../core/format.js";

/** Statuses in which the order has left the manufacturer. */
export const AFTER_SHIPPING = new Set(["shipped", "delivered", "completed"]);

/**
 * "14 March 2027" for an ISO date or date-time (the calendar day in UTC for a date-time, as the ledger
 * counts days late).
 * @param {string | null | undefined} iso
 * @returns {string}
 */
export function longDate(iso) {
  if (!iso) return "";
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
  if (!day) return String(iso);
  const date = new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(date);
}

/**
 * The agreed late-delivery penalty in words: "€10.00 for each day late, at most €25.00"; "" without one.
 * @param {{per_day_late?: string|number|null, cap?: string|number|null} | null | undefined} penalty
 * @param {string} [currency]
 * @returns {string}
 */
export function penaltyText(penalty, currency = "EUR") {
  if (!penalty || penalty.per_day_late === null || penalty.per_day_late === undefined) return "";
  const perDay = `${money(penalty.per_day_late, currency)} for each day late`;
  return penalty.cap === null || penalty.cap === undefined ? perDay : `${perDay}, at most ${money(penalty.cap, currency)}`;
}

/**
 * "Shipped with DHL, reference 1Z999AA1…" (or "Shipped" when the carrier is not known).
 * @param {{carrier?: string|null, reference?: string|null, shipped_at?: string|null}} shipment
 * @returns {string}
 */
export function shippedText(shipment) {
  if (!shipment || !shipment.carrier) return "Shipped";
  const reference = shipment.reference ? `, reference ${shipment.reference}` : "";
  const when = shipment.shipped_at ? ` on ${longDate(shipment.shipped_at)}` : "";
  return `Shipped with ${shipment.carrier}${reference}${when}`;
}

/**
 * "3 days late" / "1 day late" / "" (on time or not known).
 * @param {number | null | undefined} days
 */
export function lateText(days) {
  if (!days || days <= 0) return "";
  return `${days} ${days === 1 ? "day" : "days"} late`;
}

/**
 * "Delivered on 14 March 2027, 3 days late; a penalty of €25.00 is claimed".
 * @param {any} delivery GET /orders/{id}/delivery
 * @returns {string}
 */
export function receivedText(delivery) {
  if (!delivery || !delivery.received_at) return "";
  let text = `Delivered on ${longDate(delivery.received_at)}`;
  const late = lateText(delivery.days_late);
  if (late) {
    text += `, ${late}`;
    if (delivery.penalty_claimed !== null && delivery.penalty_claimed !== undefined) {
      text += `; a penalty of ${money(delivery.penalty_claimed, delivery.currency || "EUR")} is claimed`;
    }
  } else {
    text += ", on time";
  }
  return text;
}

/**
 * @typedef {object} DeliverySummary
 * @property {boolean} visible     the order has shipped: the delivery panel shows
 * @property {string} shipped      "Shipped with DHL, reference …"
 * @property {string} received     "Delivered on …" once the customer confirmed it, else ""
 * @property {string} penalty      the agreed late-delivery penalty in words, "" without one
 * @property {string} late         "Expected on 11 March 2027: 3 days late" while the order is late and not received
 * @property {boolean} canConfirm  the customer may confirm the delivery now
 */

/**
 * What the delivery panel shows for an order, from the order (GET /orders/{id}), what the ledger says
 * (GET /orders/{id}/delivery, or null) and the latest push event of the order about its shipment (or null).
 * @param {any} order
 * @param {any} delivery
 * @param {{carrier?: string|null, reference?: string|null} | null} [shippedEvent]
 * @param {Date} [now]
 * @returns {DeliverySummary}
 */
export function deliverySummary(order, delivery, shippedEvent = null, now = new Date()) {
  const status = order && order.status;
  const visible = AFTER_SHIPPING.has(status);
  const shipment = delivery && delivery.carrier ? delivery : shippedEvent;
  const quotation = (order && order.quotation) || null;
  const currency = (delivery && delivery.currency) || (quotation && quotation.currency) || "EUR";
  const penalty = delivery && delivery.penalty_per_day
    ? { per_day_late: delivery.penalty_per_day, cap: delivery.penalty_cap }
    : quotation && quotation.penalty;
  const received = receivedText(delivery);
  const agreed = (delivery && delivery.delivery_date) || (quotation && quotation.delivery_date) || null;
  let late = "";
  if (visible && !received && status === "shipped" && agreed) {
    const days = Math.floor((Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - Date.parse(`${String(agreed).slice(0, 10)}T00:00:00Z`)) / 86400000);
    if (days > 0) late = `Agreed for ${longDate(agreed)}: ${lateText(days)} so far`;
  }
  return {
    visible,
    shipped: visible ? shippedText(shipment || {}) : "",
    received: received || (status === "delivered" || status === "completed" ? "Delivered" : ""),
    penalty: penaltyText(penalty, currency),
    late,
    canConfirm: status === "shipped" && !received,
  };
}

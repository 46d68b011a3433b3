/**
 * The manufacturer's manual steps of the order's life on the ledger (pure: no DOM, importable from node).
 *
 *   waitingSteps(order, policy)        // {confirmParts, startProduction, ship}: which buttons the order view shows
 *   checkReason(text)                  // {reason, error}: the "Start production now" reason
 *   checkShipment(carrier, reference)  // {value, errors}: the "Ship" carrier and tracking reference
 *   shipmentFacts(order, events)       // {shipped, deliveryDate, deliveryNote}: read-only, from the order's events
 *
 * The policy is the `policy` of GET /manufacturer/policy, or null when it could not be read. Its flags
 * `auto_receive_parts` and `auto_ship` are on unless the policy says `false` (their default); with no policy
 * the buttons show (the agent answers 409 in words when it does not wait for the step).
 *
 * @module logic/manufacturer-steps
 */

import { longDate } from "./delivery.js";

/** Longest reason the agent keeps (ontology StartProduction.reason). */
export const REASON_MAX = 2000;
/** Longest carrier name or reference the agent takes (ontology ShipOrder). */
export const NAME_MAX = 200;

/**
 * @param {any} policy
 * @param {string} flag
 * @returns {boolean} the policy does this step by itself
 */
function automatic(policy, flag) {
  if (!policy || typeof policy !== "object") return false;
  return policy[flag] !== false;
}

/**
 * @typedef {object} WaitingSteps
 * @property {boolean} confirmParts    "Parts received": contracted, the policy does not confirm parts by itself
 * @property {boolean} startProduction "Start production now": contracted (parts may still be awaited)
 * @property {boolean} ship            "Ship": paid, the policy does not ship by itself
 */

/**
 * Which of the manual steps the order may wait for now.
 * @param {{status?: string} | null | undefined} order GET /orders/{id}
 * @param {any} policy the manufacturer's policy, or null when not known
 * @returns {WaitingSteps}
 */
export function waitingSteps(order, policy) {
  const status = order && order.status;
  const contracted = status === "contracted";
  return {
    confirmParts: contracted && !automatic(policy, "auto_receive_parts"),
    startProduction: contracted,
    ship: status === "paid" && !automatic(policy, "auto_ship"),
  };
}

/**
 * The reason for starting production early: trimmed, required, at most REASON_MAX characters.
 * @param {string | null | undefined} text
 * @returns {{reason: string, error: string}}
 */
export function checkReason(text) {
  const reason = String(text ?? "").trim();
  if (!reason) return { reason, error: "Say why production starts before every part is in." };
  if (reason.length > REASON_MAX) return { reason, error: `Keep the reason to ${REASON_MAX} characters or fewer.` };
  return { reason, error: "" };
}

/**
 * The shipment: carrier and tracking reference, trimmed, each required and at most NAME_MAX characters.
 * @param {string | null | undefined} carrier
 * @param {string | null | undefined} reference
 * @returns {{value: {carrier: string, reference: string}, errors: {carrier?: string, reference?: string}}}
 */
export function checkShipment(carrier, reference) {
  const value = { carrier: String(carrier ?? "").trim(), reference: String(reference ?? "").trim() };
  /** @type {{carrier?: string, reference?: string}} */
  const errors = {};
  if (!value.carrier) errors.carrier = "Enter the carrier, for example DHL.";
  else if (value.carrier.length > NAME_MAX) errors.carrier = `Keep the carrier to ${NAME_MAX} characters or fewer.`;
  if (!value.reference) errors.reference = "Enter the carrier's tracking reference.";
  else if (value.reference.length > NAME_MAX) errors.reference = `Keep the reference to ${NAME_MAX} characters or fewer.`;
  return { value, errors };
}

/**
 * @typedef {object} ShipmentFacts
 * @property {string} shipped       "Shipped with DHL, reference 1Z…" once shipped, else ""
 * @property {string} deliveryDate  the new planned delivery date (ISO), "" when it did not move
 * @property {string} deliveryNote  "Delivery moved to 14 March 2027 (quoted: 11 March 2027)", else ""
 */

/**
 * What the order's status events say about its shipment and a moved delivery date (the newest wins). Events
 * are push events of the order (`carrier`, `reference`, `delivery_date`); without a shipment event the
 * carrier and reference of the history's "shipped" event (else the agent's own words of that change) are shown.
 * @param {any} order GET /orders/{id}
 * @param {Array<any>} events the order's push events, oldest first
 * @returns {ShipmentFacts}
 */
export function shipmentFacts(order, events) {
  const mine = (events || []).filter((e) => e && (!order || !e.order_id || e.order_id === order.id));
  const shipping = [...mine].reverse().find((e) => e.carrier);
  const moved = [...mine].reverse().find((e) => e.delivery_date);
  let shipped = "";
  const change = [...((order && order.history) || [])].reverse()
    .find((c) => c && c.to_status === "shipped" && c.from_status !== "shipped");
  const told = shipping || (change && change.event === "shipped" && change.params) || null;
  if (told && told.carrier) {
    shipped = `Shipped with ${told.carrier}${told.reference ? `, reference ${told.reference}` : ""}`;
  } else if (change) {
    shipped = change.note ? String(change.note) : "Shipped";
  }
  const deliveryDate = moved ? String(moved.delivery_date).slice(0, 10) : "";
  const quoted = order && order.quotation && order.quotation.delivery_date;
  let deliveryNote = "";
  if (deliveryDate) {
    deliveryNote = `Delivery moved to ${longDate(deliveryDate)}`;
    if (quoted && String(quoted).slice(0, 10) !== deliveryDate) deliveryNote += ` (quoted: ${longDate(quoted)})`;
  }
  return { shipped, deliveryDate, deliveryNote };
}

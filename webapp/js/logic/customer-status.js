/**
 * Pure: an order's status in the customer's words, for the status card of the customer's order page.
 * @module logic/customer-status
 */

import { eventSentence } from "./timeline.js";
import { paymentState } from "./payment.js";

/** What is happening, in the customer's words. */
export const EXPLAINED = Object.freeze({
  received: "Your order is with the manufacturer's agent.",
  accepted: "The manufacturer has accepted your order.",
  rejected: "The manufacturer cannot make this order.",
  sourcing: "The agents are looking for suppliers for the parts.",
  negotiating: "The agents are negotiating prices and dates with suppliers.",
  quoted: "Your quotation is ready. Please answer it below.",
  countered: "Your counter-offer is with the manufacturer's agent.",
  confirmed: "You confirmed the quotation. The contracts are being prepared.",
  declined: "You declined the quotation. The order is closed.",
  contracting: "The contracts are being recorded on the ledger.",
  contracted: "The contracts are signed. Production starts soon.",
  in_production: "Your product is being made.",
  produced: "Your product is made. The invoice follows.",
  invoiced: "Your invoice is ready. Please pay it below.",
  paid: "Paid. Thank you! Your order will be shipped soon.",
  shipped: "Your order is on its way. Please confirm below once it has arrived.",
  delivered: "You confirmed the delivery. Thank you!",
  completed: "This order is complete: delivered and settled.",
  cancelled: "This order was cancelled.",
  failed: "This order could not be completed.",
});

/** Statuses in which the order stopped; the card says why. */
const STOPPED = new Set(["rejected", "failed", "cancelled", "declined"]);

/**
 * What the status means for the customer; what the customer did already here comes first (a confirmed
 * delivery, an announced transfer), before the manufacturer records it.
 * @param {string} status the order's status now (a push event's, ahead of the order body)
 * @param {any} order GET /orders/{id} body
 * @param {{received?: boolean}} [seen] received: the customer confirmed the delivery on this page
 * @returns {string}
 */
export function statusExplanation(status, order, { received = false } = {}) {
  if (status === "shipped" && received) return "You confirmed the delivery. The manufacturer is recording it.";
  if (status === "invoiced" && paymentState(order).stage === "announced") {
    return "You announced your transfer. The manufacturer confirms it once the money arrives.";
  }
  return EXPLAINED[/** @type {keyof typeof EXPLAINED} */ (status)] || "";
}

/**
 * Why the order stopped, from the history entry that stopped it; "" while it goes on (or the history does
 * not tell yet).
 * @param {string} status
 * @param {{history?: Array<{to_status: string, event?: string | null, params?: Record<string, unknown> | null}>}} order
 * @returns {string}
 */
export function stopReason(status, order) {
  const history = order.history || [];
  const last = history.length ? history[history.length - 1] : null;
  if (!STOPPED.has(status) || !last || last.to_status !== status) return "";
  return eventSentence({ status, event: last.event, params: last.params });
}

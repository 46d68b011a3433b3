/**
 * The customer's order page: a quotation or an invoice made in the last minutes is announced when the page
 * opens (its push event may have come before the page).
 * @module views/customer/order/fresh
 */

import { announce } from "../shared.js";

/** A quotation or invoice this recent is announced. */
const FRESH_MS = 5 * 60 * 1000;

/** @param {string | undefined} createdAt */
function isFresh(createdAt) {
  const made = Date.parse(createdAt || "");
  return Number.isFinite(made) && Date.now() - made < FRESH_MS;
}

/**
 * Toast the order's open quotation or invoice when it was made in the last minutes (once: `announce` remembers).
 * @param {string} orderId
 * @param {any} order GET /orders/{id} body
 */
export function announceFresh(orderId, order) {
  const q = order.quotation;
  if (order.status === "quoted" && q && isFresh(q.created_at)) {
    announce("quotation", orderId, q.total_price, q.currency);
  }
  const open = (order.invoices || []).find((/** @type {any} */ i) => i.status === "issued");
  if (order.status === "invoiced" && open && isFresh(open.created_at)) {
    announce("invoice", orderId, open.total, open.currency);
  }
}

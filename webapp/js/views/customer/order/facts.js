/**
 * The customer's order page: the facts of the order (product, chosen options, quantity, dates, number).
 * @module views/customer/order/facts
 */

import { h } from "../../../core/dom.js";
import { dateLabel, dateTimeLabel } from "../../../core/format.js";

/**
 * @param {string} term
 * @param {any} value text or an element
 */
function fact(term, value) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, value));
}

/**
 * The rows of the order's facts list (<dl>), options and choices by their labels where the product is known.
 * @param {any} order GET /orders/{id} body
 * @param {any} product ProductPublic, or null when it could not be read
 * @returns {HTMLElement[]}
 */
export function orderFacts(order, product) {
  const options = Object.entries(order.options || {}).map(([optionId, choiceId]) => {
    const option = product && (product.options || []).find((/** @type {any} */ o) => o.id === optionId);
    const choice = option && (option.choices || []).find((/** @type {any} */ c) => c.id === choiceId);
    return fact(option ? option.label : optionId, choice ? choice.label : String(choiceId));
  });
  const productLink = h(
    "a",
    { href: `#/products/${encodeURIComponent(order.product_id)}` },
    product ? product.name : order.product_id,
  );
  return [
    fact("Product", productLink),
    ...options,
    fact("Quantity", String(order.quantity)),
    fact("Delivery wanted", dateLabel(order.delivery_date)),
    fact("Placed", dateTimeLabel(order.created_at)),
    fact("Order number", String(order.number ?? "—")),
  ];
}

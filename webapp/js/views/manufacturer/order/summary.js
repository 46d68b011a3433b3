/**
 * The manufacturer's order page: the order's details (product, options, quantity, dates, quotation, invoices,
 * a moved delivery date, the shipment) and the customer's measurements, texts and files.
 * @module views/manufacturer/order/summary
 */

import { h } from "../../../core/dom.js";
import { dateLabel, money } from "../../../core/format.js";
import { optionLabels, productName } from "../../../core/products.js";
import { shipmentFacts } from "../../../logic/manufacturer-steps.js";
import { orderValuesList } from "../../../components/option-fields.js";

/**
 * A term and its value.
 * @param {string} term
 * @param {string} value
 * @param {string} [testid] of the value
 */
function row(term, value, testid) {
  return [h("dt", {}, term), h("dd", testid ? { "data-testid": testid } : {}, value)];
}

/**
 * @param {any} order GET /orders/{id} body
 * @param {any[]} events the order's push events, oldest first (the shipment and a moved delivery date)
 * @returns {Array<HTMLElement | string>}
 */
export function orderSummary(order, events) {
  const options = optionLabels(order.product_id, order.options).map((o) => `${o.option}: ${o.choice}`).join(", ");
  const quotation = order.quotation;
  const invoices = order.invoices || [];
  const facts = shipmentFacts(order, events);
  const list = h("dl", { class: "kv" },
    row("Product", productName(order.product_id)),
    row("Options", options || "none"),
    row("Quantity", String(order.quantity)),
    row("Wanted by", dateLabel(order.delivery_date)),
    quotation ? row("Quoted", money(quotation.total_price ?? quotation.price, quotation.currency)) : null,
    invoices.length
      ? row("Invoice", invoices.map((/** @type {any} */ i) => `${money(i.total, i.currency)} (${i.status})`).join(", "))
      : null,
    facts.deliveryNote ? row("Delivery", facts.deliveryNote, "delivery-moved") : null,
    facts.shipped ? row("Shipment", facts.shipped, "shipment") : null);
  return [list, orderValuesList(order) || ""];
}

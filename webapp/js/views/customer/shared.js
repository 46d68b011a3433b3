/**
 * Small helpers shared by the customer's views: the product cache (core/products.js), the quotation/invoice toasts
 * (each shown once per order and amount, whichever screen hears of it first), and a product tile.
 * @module views/customer/shared
 */

import { h } from "../../core/dom.js";
import { money } from "../../core/format.js";
import { notify, orderTopic } from "../../ui/toast.js";
import { navigate } from "../../core/router.js";
import { parseDecimal, formatDecimal } from "../../logic/price.js";

/** @type {Set<string>} */
const announced = new Set();

export { rememberProducts, loadProduct, productName, loadProductNames } from "../../core/products.js";

/**
 * Toast a quotation or an invoice once per order and amount.
 * @param {"quotation"|"invoice"} kind
 * @param {string} orderId
 * @param {string|number|null|undefined} price
 * @param {string|null|undefined} currency
 * @param {{link?: boolean}} [options] link: offer a "View order" button
 */
export function announce(kind, orderId, price, currency, { link = false } = {}) {
  if (price === null || price === undefined) return;
  const units = parseDecimal(price);
  const key = `${kind}:${orderId}:${units === null ? price : formatDecimal(units)}`;
  if (announced.has(key)) return;
  announced.add(key);
  const words = kind === "quotation" ? "Quotation received" : "Invoice received";
  notify(`${words}: ${money(price, currency || "EUR")}`, {
    tone: "info",
    topic: orderTopic(orderId, kind === "quotation" ? "quoted" : "invoiced"),
    action: link ? { label: "View order", onClick: () => navigate(`/orders/${orderId}`) } : undefined,
  });
}

/**
 * A decorative tile with the product's initial, coloured by its id.
 * @param {{id: string, name: string}} product
 */
export function productTile(product) {
  let hash = 0;
  for (const ch of product.id) hash = (hash * 31 + ch.charCodeAt(0)) % 360;
  return h(
    "span",
    { class: ["product-tile", `hue-${hash % 6}`], "aria-hidden": "true" },
    (product.name || "?").trim().charAt(0).toUpperCase(),
  );
}

/**
 * Small helpers shared by the customer's views: a product cache, the quotation/invoice toasts
 * (each shown once per order and amount, whichever screen hears of it first), and a product tile.
 * @module views/customer/shared
 */

import { h } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { money } from "../../core/format.js";
import { notify } from "../../ui/toast.js";
import { navigate } from "../../core/router.js";
import { parseDecimal, formatDecimal } from "../../logic/price.js";

/** @type {Map<string, any>} product id -> ProductPublic */
const products = new Map();
/** @type {Set<string>} */
const announced = new Set();

/**
 * Remember products (from GET /products or GET /products/{id}).
 * @param {Array<any>} items
 */
export function rememberProducts(items) {
  for (const product of items) if (product && product.id) products.set(product.id, product);
}

/**
 * A product, from the cache or GET /products/{id}; null when it cannot be had.
 * @param {string} id
 * @param {{signal?: AbortSignal, fresh?: boolean}} [options]
 */
export async function loadProduct(id, { signal, fresh = false } = {}) {
  if (!fresh && products.has(id)) return products.get(id);
  const product = await api(`/products/${encodeURIComponent(id)}`, { signal });
  rememberProducts([product]);
  return product;
}

/**
 * A product's name if it is known, else its id.
 * @param {string} id
 */
export function productName(id) {
  const product = products.get(id);
  return product ? product.name : id;
}

/**
 * Load the names of the catalogue's products (one GET /products), ignoring failures.
 * @param {{signal?: AbortSignal}} [options]
 */
export async function loadProductNames({ signal } = {}) {
  try {
    const page = await api("/products?limit=200", { signal });
    rememberProducts(page.items || []);
  } catch {
    // names fall back to ids
  }
}

/**
 * Toast a quotation or an invoice once per order and amount.
 * @param {"quotation"|"invoice"} kind
 * @param {string} orderId
 * @param {string|number|null} price
 * @param {string|null} currency
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

/**
 * The catalogue's products as far as this page has seen them, so that screens can name a product instead of
 * showing its id.
 * @module core/products
 */

import { api } from "./api.js";

/** @type {Map<string, any>} product id -> ProductPublic */
const products = new Map();

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
 * The chosen options of an order in words, from its product (once known): `[{option, choice}]` with the
 * option's and the choice's labels; an option or a value the product does not name stays as it is.
 * @param {string} productId
 * @param {Record<string, string>} options option id -> choice id (an order's `options`)
 * @returns {Array<{option: string, choice: string}>}
 */
export function optionLabels(productId, options) {
  const product = products.get(productId);
  return Object.entries(options || {}).map(([optionId, value]) => {
    const option = product && (product.options || []).find((/** @type {any} */ o) => o.id === optionId);
    const choice = option && (option.choices || []).find((/** @type {any} */ c) => c.id === value);
    return { option: option ? option.label : optionId, choice: choice ? choice.label : String(value) };
  });
}

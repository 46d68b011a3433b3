/**
 * #/catalogue — the customer's catalogue (GET /products): one card per product, its name a link to
 * the configurator. Pages of 50 with "Show more products".
 * @module views/customer/catalogue
 */

import { h, clear } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { money } from "../../core/format.js";
import { loading, empty, errorBox } from "../../ui/states.js";
import { rememberProducts, productTile } from "./shared.js";

const PAGE = 50;

/**
 * @param {any} product ProductPublic
 */
function productCard(product) {
  const options = product.options || [];
  return h(
    "li",
    { class: "product-card" },
    productTile(product),
    h(
      "div",
      { class: "product-card-body" },
      h("h2", { class: "product-card-title" }, h("a", { href: `#/products/${encodeURIComponent(product.id)}` }, product.name)),
      product.description ? h("p", { class: "product-card-text" }, product.description) : null,
      h(
        "p",
        { class: "product-card-meta" },
        h("span", { class: "product-card-price" }, `From ${money(product.price_from, product.currency)}`),
        options.length ? h("span", {}, `${options.length} ${options.length === 1 ? "option" : "options"} to choose`) : null,
      ),
    ),
  );
}

/**
 * @param {{root: HTMLElement}} ctx
 */
export async function catalogueView({ root }) {
  const controller = new AbortController();
  const body = h("div", { class: "catalogue-body" }, loading("Loading the catalogue…"));
  root.append(
    h(
      "div",
      { class: "view customer-view" },
      h(
        "header",
        { class: "view-head" },
        h("h1", {}, "Catalogue"),
        h("p", { class: "lead" }, "Choose a product, make it yours, and the agents will find the suppliers to build it."),
      ),
      body,
    ),
  );

  const list = h("ul", { class: "product-grid", "aria-label": "Products" });
  const more = h("div", { class: "more" });

  /** @param {number} offset */
  async function load(offset) {
    const page = await api(`/products?limit=${PAGE}&offset=${offset}`, { signal: controller.signal });
    /** @type {any[]} ProductPublic */
    const items = page.items || [];
    rememberProducts(items);
    items.forEach((product) => list.append(productCard(product)));
    clear(more);
    if (page.next_offset !== null && page.next_offset !== undefined) {
      const button = h("button", { type: "button", class: "button" }, "Show more products");
      button.addEventListener("click", async () => {
        /** @type {HTMLButtonElement} */ (button).disabled = true;
        button.textContent = "Loading…";
        try {
          await load(page.next_offset);
        } catch (error) {
          if (controller.signal.aborted) return;
          clear(more).append(errorBox(error, () => load(page.next_offset)));
        }
      });
      more.append(button);
    }
    return items.length;
  }

  async function start() {
    clear(body).append(loading("Loading the catalogue…"));
    clear(list);
    try {
      const count = await load(0);
      clear(body);
      if (count === 0) body.append(empty("The catalogue is empty. No manufacturer offers a product yet."));
      else body.append(list, more);
    } catch (error) {
      if (controller.signal.aborted) return;
      clear(body).append(errorBox(error, start));
    }
  }

  await start();
  return () => controller.abort();
}

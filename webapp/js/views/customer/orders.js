/**
 * #/orders — "My orders" (GET /orders, newest first): a link per order with its product, number
 * ("Order 1042"), dates and status. Push events refresh the list (no polling) and announce quotations and invoices.
 * @module views/customer/orders
 */

import { h, clear } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { coalesced } from "../../core/coalesce.js";
import { statusLabel, statusTone, dateLabel } from "../../core/format.js";
import { onOrderEvent } from "../../core/push.js";
import { loading, empty, errorBox } from "../../ui/states.js";
import { orderName } from "../../logic/timeline.js";
import { loadProductNames, productName, announce } from "./shared.js";

const PAGE = 50;

/** A hint for the orders waiting on the customer. */
const YOUR_TURN = {
  quoted: "A quotation is waiting for your answer",
  invoiced: "An invoice is waiting to be paid",
};

/**
 * @param {any} order OrderSummary
 */
function orderItem(order) {
  const hint = YOUR_TURN[/** @type {keyof typeof YOUR_TURN} */ (order.status)];
  return h(
    "li",
    { class: ["order-item", `tone-${statusTone(order.status)}`] },
    h(
      "a",
      { href: `#/orders/${encodeURIComponent(order.id)}`, class: "order-link" },
      h(
        "span",
        { class: "order-link-main" },
        h("strong", { class: "order-link-title" }, productName(order.product_id)),
        h(
          "span",
          { class: "order-link-meta" },
          `${orderName(order)} · qty ${order.quantity} · placed ${dateLabel(order.created_at)} · delivery ${dateLabel(order.delivery_date)}`,
        ),
        hint ? h("span", { class: "order-link-hint" }, hint) : null,
      ),
      h("span", { class: ["badge", `tone-${statusTone(order.status)}`] }, statusLabel(order.status)),
    ),
  );
}

/**
 * @param {{root: HTMLElement}} ctx
 */
export async function ordersView({ root }) {
  const controller = new AbortController();
  const body = h("div", { class: "orders-body" }, loading("Loading your orders…"));
  root.append(
    h(
      "div",
      { class: "view customer-view" },
      h(
        "header",
        { class: "view-head" },
        h("h1", {}, "My orders"),
        h("p", { class: "lead" }, "Everything you ordered, newest first. The list updates itself."),
      ),
      body,
    ),
  );

  let shown = PAGE;
  async function load() {
    const page = await api(`/orders?limit=${Math.min(shown, 200)}`, { signal: controller.signal });
    const items = page.items || [];
    const list = h("ul", { class: "order-list", "aria-label": "Orders" }, items.map(orderItem));
    clear(body);
    if (items.length === 0) {
      body.append(empty("You have not ordered anything yet.", { label: "Browse the catalogue", href: "#/catalogue" }));
      return;
    }
    body.append(list);
    if (page.next_offset !== null && page.next_offset !== undefined && shown < 200) {
      const button = h("button", { type: "button", class: "button" }, "Show more orders");
      button.addEventListener("click", () => {
        shown += PAGE;
        refresh();
      });
      body.append(h("div", { class: "more" }, button));
    }
  }

  /** Fetch the list again; calls during a fetch are folded into one more fetch. */
  const refresh = coalesced(async () => {
    try {
      await load();
    } catch (error) {
      if (controller.signal.aborted) return;
      clear(body).append(errorBox(error, refresh));
    }
  }, () => controller.signal.aborted);


  await loadProductNames({ signal: controller.signal });
  await refresh();

  const unsubscribe = onOrderEvent((event) => {
    if (event.kind === "quotation" || event.kind === "invoice") {
      announce(event.kind, event.order_id, event.price, event.currency, { link: true });
    }
    refresh();
  });
  return () => {
    unsubscribe();
    controller.abort();
  };
}

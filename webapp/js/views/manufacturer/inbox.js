/**
 * Manufacturer: the inbox of orders addressed to this manufacturer; new ones appear from the push stream.
 * @module views/manufacturer/inbox
 */

import { coalesced } from "../../core/coalesce.js";
import { loadProductNames, optionLabels, productName } from "../../core/products.js";
import { h, clear } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { statusLabel, statusTone, dateLabel } from "../../core/format.js";
import { orderName } from "../../logic/timeline.js";
import { onOrderEvent } from "../../core/push.js";
import { loading, empty, errorBox } from "../../ui/states.js";
import { notify } from "../../ui/toast.js";

/** What the manufacturer may need to do, by status. */
const TODO = {
  received: "New: accept or reject it",
  accepted: "Accepted: start sourcing",
  contracted: "Contracted: report production progress",
  in_production: "In production: report progress",
  produced: "Produced: raise the invoice",
};

/**
 * One order as a link.
 * @param {any} order OrderSummary
 * @returns {HTMLElement}
 */
function orderItem(order) {
  const todo = TODO[/** @type {keyof typeof TODO} */ (order.status)];
  const choices = optionLabels(order.product_id, order.options).map((o) => o.choice).join(" · ");
  return h("li", { class: ["order-item", `tone-${statusTone(order.status)}`] },
    h("a", { href: `#/inbox/${encodeURIComponent(order.id)}`, class: "order-link" },
      h("span", { class: "order-link-main" },
        h("strong", { class: "order-link-title" }, `${orderName(order)}: ${productName(order.product_id)}`),
        h("span", { class: "order-link-meta" },
          `qty ${order.quantity} · received ${dateLabel(order.created_at)} · delivery ${dateLabel(order.delivery_date)}`),
        choices ? h("span", { class: "order-link-meta order-link-options" }, choices) : null,
        todo ? h("span", { class: "order-link-hint" }, todo) : null),
      h("span", { class: ["badge", `tone-${statusTone(order.status)}`] }, statusLabel(order.status))));
}

/**
 * The inbox view.
 * @param {{root: HTMLElement}} ctx
 * @returns {Promise<() => void>}
 */
export async function inboxView({ root }) {
  const controller = new AbortController();
  const body = h("div", { class: "inbox-body" }, loading("Loading the orders addressed to you…"));
  root.append(h("div", { class: "view manufacturer-view" },
    h("header", { class: "view-head" },
      h("h1", {}, "Inbox"),
      h("p", { class: "lead" }, "Orders addressed to you, newest first. New orders appear here by themselves.")),
    body));

  /** @type {Set<string>} */
  const known = new Set();
  let first = true;

  async function load() {
    const page = await api("/orders?limit=100", { signal: controller.signal });
    const items = (page && page.items) || [];
    if (!first) {
      const fresh = items.filter((/** @type {any} */ o) => !known.has(o.id));
      for (const o of fresh) notify(`New order received: ${orderName(o)}`, { tone: "info" });
    }
    for (const o of items) known.add(o.id);
    first = false;
    clear(body);
    if (!items.length) {
      body.append(empty("No orders yet. When a customer orders one of your products it appears here."));
      return;
    }
    body.append(h("ul", { class: "order-list", "aria-label": "Orders" }, items.map(orderItem)));
  }

  const refresh = coalesced(async () => {
    try {
      await load();
    } catch (err) {
      if (/** @type {any} */ (err).name === "AbortError") return;
      clear(body).append(errorBox(err, refresh));
    }
  }, () => controller.signal.aborted);

  const unsubscribe = onOrderEvent(() => refresh());
  await loadProductNames({ signal: controller.signal });
  await refresh();
  return () => {
    unsubscribe();
    controller.abort();
  };
}

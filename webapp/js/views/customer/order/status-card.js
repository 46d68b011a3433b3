/**
 * The customer's order page: the status card at the top (data-testid="order-status" badge, what the status
 * means, why a stopped order stopped). Showing a status dismisses the toasts about the statuses the order left.
 * @module views/customer/order/status-card
 */

import { h } from "../../../core/dom.js";
import { statusLabel, statusTone } from "../../../core/format.js";
import { statusExplanation, stopReason } from "../../../logic/customer-status.js";
import { dismissStaleOrderToasts } from "../../../ui/toast.js";

/**
 * @typedef {HTMLElement & {show: (status: string, order: any, seen: {received: boolean}) => void}} StatusCard
 */

/**
 * @param {string} orderId
 * @returns {StatusCard}
 */
export function statusCard(orderId) {
  const badge = h("span", { class: "badge", dataset: { testid: "order-status" } });
  const explanation = h("p", { class: "status-text" });
  const note = h("p", { class: "status-note" });
  const card = /** @type {StatusCard} */ (
    h(
      "div",
      { class: "card order-status-card" },
      h("p", { class: "status-line" }, h("span", { class: "status-label" }, "Status"), badge),
      explanation,
      note,
    )
  );
  card.show = (status, order, seen) => {
    dismissStaleOrderToasts(orderId, status);
    badge.textContent = statusLabel(status);
    badge.className = `badge tone-${statusTone(status)}`;
    explanation.textContent = statusExplanation(status, order, seen);
    const why = stopReason(status, order);
    note.textContent = why;
    note.hidden = !why;
  };
  return card;
}

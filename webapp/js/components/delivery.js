/**
 * The delivery of a shipped order: the carrier and its reference, the agreed late-delivery penalty, and the
 * customer's "Confirm delivery" (with a review step: the confirmation is signed on the ledger as the customer,
 * and a late delivery's penalty is claimed with it).
 *
 *   const panel = deliveryPanel(order, { onChange: () => refetch() });
 *   root.append(panel);          // hidden until the order is shipped
 *   panel.update(order);         // after every refetch
 *   panel.shipped(event);        // a push event of the order that carries its carrier and reference
 *   panel.received();            // the ledger holds the customer's receipt (the status follows)
 *
 * What it shows comes from GET /orders/{id}/delivery (the order agreement on the ledger, read with the
 * customer's own session), fetched when the order's status changes; until it can be read, from the push
 * event. "Confirm delivery" → "Yes, it arrived" posts POST /orders/{id}/delivery-confirmation (no body).
 *
 * @module components/delivery
 */

import { h, clear } from "../core/dom.js";
import { api } from "../core/api.js";
import { errorBox } from "../ui/states.js";
import { notify } from "../ui/toast.js";
import { deliverySummary, AFTER_SHIPPING } from "../logic/delivery.js";

/**
 * @typedef {HTMLElement & {update: (order: object) => void, shipped: (event: any) => void, received: () => boolean}} DeliveryPanel
 */

/**
 * @param {any} order GET /orders/{id} body
 * @param {{onChange?: () => void}} [options]
 * @returns {DeliveryPanel}
 */
export function deliveryPanel(order, { onChange = () => {} } = {}) {
  const headingId = `delivery-${order.id}`;
  const shippedLine = h("p", { class: "delivery-shipped", dataset: { testid: "delivery-shipment" } });
  const lateLine = h("p", { class: "delivery-late" });
  const receivedLine = h("p", { class: "delivery-received", role: "status", dataset: { testid: "delivery-received" } });
  const penaltyLine = h("p", { class: "muted delivery-penalty" });
  const errorSlot = h("div");
  const actions = h("div", { class: "actions" });
  const panel = /** @type {DeliveryPanel} */ (
    /** @type {unknown} */ (
      h(
        "section",
        { class: "card panel delivery-panel", "aria-labelledby": headingId, hidden: true },
        h("h2", { id: headingId }, "Delivery"),
        shippedLine,
        lateLine,
        receivedLine,
        penaltyLine,
        errorSlot,
        actions,
      )
    )
  );
  let current = order;
  /** @type {any} */
  let delivery = null;
  /** @type {any} */
  let event = null;
  let fetchedFor = "";
  let reviewing = false;
  let busy = false;

  async function load() {
    const key = `${current.id}:${current.status}`;
    if (!AFTER_SHIPPING.has(current.status) || fetchedFor === key) return;
    fetchedFor = key;
    try {
      delivery = await api(`/orders/${encodeURIComponent(current.id)}/delivery`);
    } catch {
      delivery = delivery || null; // no ledger here, or nothing on it yet: the order and its events tell
    }
    render();
  }

  async function confirm() {
    clear(errorSlot);
    busy = true;
    render();
    try {
      await api(`/orders/${encodeURIComponent(current.id)}/delivery-confirmation`, { method: "POST" });
      notify("Delivery confirmed. Thank you!", { tone: "success" });
      reviewing = false;
      busy = false;
      fetchedFor = "";
      await load();
      onChange();
    } catch (error) {
      busy = false;
      reviewing = false;
      render();
      errorSlot.append(errorBox(error));
      if (/** @type {any} */ (error).status === 409) onChange();
    }
  }

  function render() {
    const summary = deliverySummary(current, delivery, event);
    panel.hidden = !summary.visible;
    shippedLine.textContent = summary.shipped;
    lateLine.textContent = summary.late;
    lateLine.hidden = !summary.late;
    receivedLine.textContent = summary.received;
    receivedLine.hidden = !summary.received;
    penaltyLine.textContent = summary.penalty ? `Agreed for a late delivery: ${summary.penalty}.` : "";
    penaltyLine.hidden = !summary.penalty;
    panel.classList.toggle("is-open", summary.canConfirm);
    clear(actions);
    if (summary.canConfirm && !reviewing) {
      actions.append(
        h(
          "button",
          { type: "button", class: "button primary", dataset: { testid: "confirm-delivery" }, on: { click: () => { reviewing = true; render(); } } },
          "Confirm delivery",
        ),
      );
    } else if (summary.canConfirm) {
      const yes = h(
        "button",
        { type: "button", class: "button primary", dataset: { testid: "confirm-delivery-yes" }, on: { click: confirm } },
        busy ? "Confirming…" : "Yes, it arrived",
      );
      /** @type {HTMLButtonElement} */ (yes).disabled = busy;
      actions.append(
        h("p", { class: "review" }, "Confirm only once you have the order: this is signed in your name."),
        yes,
        h("button", { type: "button", class: "button", on: { click: () => { reviewing = false; render(); } } }, "Not yet"),
      );
    }
    actions.hidden = actions.childElementCount === 0;
  }

  panel.update = (next) => {
    current = next;
    render();
    load();
  };
  panel.received = () => Boolean(delivery && delivery.received_at);
  panel.shipped = (pushed) => {
    if (pushed && pushed.carrier) {
      event = { carrier: pushed.carrier, reference: pushed.reference };
      render();
    }
  };
  render();
  load();
  return panel;
}

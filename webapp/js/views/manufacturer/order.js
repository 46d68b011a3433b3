/**
 * Manufacturer: one order — act on it (accept, reject, start sourcing, confirm the parts received, start
 * production before every part is in, report progress, raise the invoice, ship), watch the negotiation live
 * and see the supply network forming; once shipped, the carrier and reference (and a delivery date moved by a
 * late part) read-only.
 *
 * The buttons of the ledger steps show only while the order waits for them: "Parts received" (contracted,
 * policy `auto_receive_parts` off), "Start production now" with a reason (contracted), "Ship" with carrier
 * and tracking reference (paid, policy `auto_ship` off); the policy comes from GET /manufacturer/policy. Once
 * the customer announced its bank transfer (an invoiced order whose open invoice has a payment), "Payment
 * received?" with its amount and reference and "Confirm payment received" (POST /orders/{id}/payment-confirmation).
 * "What you can do" comes first (on a phone's first screen); the timeline is folded, and the negotiation too
 * except while the agents negotiate.
 * @module views/manufacturer/order
 */

import { coalesced } from "../../core/coalesce.js";
import { loadProductNames } from "../../core/products.js";
import { h, clear } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { humanMessage } from "../../core/errors.js";
import { statusLabel, statusTone } from "../../core/format.js";
import { orderName } from "../../logic/timeline.js";
import { onOrderEvent } from "../../core/push.js";
import { loading, errorBox } from "../../ui/states.js";
import { notify, dismissStaleOrderToasts } from "../../ui/toast.js";
import { paymentState } from "../../logic/payment.js";
import { statusTimeline } from "../../components/timeline.js";
import { actionArea } from "./order/action-area.js";
import { orderSummary } from "./order/summary.js";
import { LIVE, negotiationPanel } from "./order/negotiation.js";

/**
 * What the actions depend on: the status, and for an invoiced order whether the payment is announced.
 * @param {any} order
 */
function stageOf(order) {
  return `${order.status}:${paymentState(order).stage}`;
}
/** A failed fetch of an order the agents are sourcing is tried again after this long. */
const POLL_MS = 1500;
/** Statuses whose buttons depend on the policy (read again when the order gets there). */
const POLICY_STEPS = new Set(["contracted", "paid"]);

/**
 * The page's frame: heading and status badge, "What you can do" (`actions`), the details, the folded timeline
 * and the negotiation (folded except while the agents negotiate).
 * @param {HTMLElement} actions
 */
function pageParts(actions) {
  const parts = {
    status: h("span", { class: "badge", "data-testid": "order-status" }, "…"),
    summary: h("div", { class: "order-facts" }, loading("Loading the order…")),
    timelineBox: h("div", { class: "timeline-box" }),
    negotiationBox: h("div", { class: "negotiation-box" }),
    heading: h("h1", {}, "Order"),
  };
  const negotiationFold = /** @type {HTMLDetailsElement} */ (h("details",
    { class: "panel fold negotiation-panel", "aria-labelledby": "m-negotiation" },
    h("summary", {}, h("h2", { id: "m-negotiation" }, "Negotiation")), parts.negotiationBox));
  const page = h("div", { class: "view manufacturer-view" },
    h("header", { class: "view-head" },
      h("p", {}, h("a", { href: "#/inbox" }, "← All orders")),
      parts.heading,
      h("p", { class: "status-line" }, "Status: ", parts.status)),
    h("div", { class: "order-grid manufacturer-grid" },
      h("div", { class: "stack" },
        h("section", { class: "panel next-step", "aria-labelledby": "m-actions" },
          h("h2", { id: "m-actions" }, "What you can do"), actions),
        h("section", { class: "panel", "aria-labelledby": "m-details" },
          h("h2", { id: "m-details" }, "Details"), parts.summary),
        h("details", { class: "panel fold", "aria-labelledby": "m-timeline" },
          h("summary", {}, h("h2", { id: "m-timeline" }, "Status timeline")), parts.timelineBox)),
      negotiationFold));
  return { page, negotiationFold, ...parts };
}

/**
 * The manufacturer's order view.
 * @param {{root: HTMLElement, params: Record<string, string>}} ctx
 * @returns {Promise<() => void>}
 */
export async function manufacturerOrderView({ root, params }) {
  const id = params.id;
  const controller = new AbortController();
  /** @type {any} */
  let order = null;
  const actions = actionArea(id, { currentOrder: () => order, refresh });
  const { page, negotiationFold, status, summary, timelineBox, negotiationBox, heading } = pageParts(actions.element);
  root.append(page);

  /** @type {ReturnType<typeof statusTimeline> | null} */
  let timeline = null;
  let stopped = false;
  let negotiationOpened = false;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  /** The manufacturer's policy (`auto_receive_parts`, `auto_ship`, `carrier`); null while not known. */
  /** @type {any} */
  let policy = null;
  /** This order's push events, oldest first (the shipment and a moved delivery date come with them). */
  /** @type {any[]} */
  const events = [];
  const negotiation = negotiationPanel(id, negotiationBox, controller.signal, () => order);

  async function loadPolicy() {
    try {
      const current = await api("/manufacturer/policy", { signal: controller.signal });
      policy = current && current.policy ? current.policy : null;
    } catch {
      policy = null; // not readable: the buttons show and the agent says when it does not wait
    }
  }

  function renderSummary() {
    status.textContent = statusLabel(order.status);
    status.className = `badge tone-${statusTone(order.status)}`;
    heading.textContent = orderName(order);
    clear(summary).append(...orderSummary(order, events));
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stopped || !order || !LIVE.has(order.status)) return;
    timer = setTimeout(async () => {
      timer = null;
      await refresh();
    }, POLL_MS);
  }

  let keepNext = false;
  const fetchFolded = coalesced(async () => {
    const keepActions = keepNext;
    keepNext = false;
    await refreshOnce({ keepActions });
  }, () => stopped);

  /**
   * Fetch again; calls during a fetch fold into one more fetch so responses never arrive out of order.
   * @param {{keepActions?: boolean}} [options]
   */
  function refresh(options = {}) {
    if (options.keepActions) keepNext = true;
    return fetchFolded();
  }

  /** @param {unknown} err */
  function fetchFailed(err) {
    if (!order) {
      clear(summary).append(errorBox(err, () => refresh()));
      status.textContent = "Unknown";
    } else {
      notify(humanMessage(err), { tone: "error" });
    }
    schedule();
  }

  /** @param {{keepActions?: boolean}} [options] */
  async function refreshOnce({ keepActions = false } = {}) {
    if (stopped) return;
    try {
      order = await api(`/orders/${encodeURIComponent(id)}`, { signal: controller.signal });
    } catch (err) {
      if (/** @type {any} */ (err).name !== "AbortError") fetchFailed(err);
      return;
    }
    const stage = stageOf(order);
    if (actions.isNew(stage) && POLICY_STEPS.has(order.status)) await loadPolicy();
    if (stopped) return;
    dismissStaleOrderToasts(id, order.status);
    if (LIVE.has(order.status) && !negotiationOpened) negotiationFold.open = true;
    if (LIVE.has(order.status)) negotiationOpened = true;
    renderSummary();
    if (!timeline) {
      timeline = statusTimeline(order);
      clear(timelineBox).append(timeline);
    } else {
      timeline.update(order);
    }
    actions.show(order, policy, stage, keepActions);
    await negotiation.show(order); // later changes come by push: statuses (onOrderEvent), messages (the transcript)
  }

  const unsubscribe = onOrderEvent((event) => {
    if (!event || event.order_id !== id) return;
    if (event.carrier || event.delivery_date) events.push(event);
    if (timeline) timeline.addEvent(event);
    refresh();
  });
  await loadProductNames({ signal: controller.signal });
  await refresh();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    unsubscribe();
    negotiation.stop();
    controller.abort();
  };
}

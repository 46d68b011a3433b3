/**
 * #/orders/:id — one order of the customer: status (data-testid="order-status") and, right under it, what
 * waits for the customer (data-testid="next-step": the quotation with Confirm / Decline / Counter, the
 * invoice with "Pay now", or the delivery's "Confirm delivery"), so it is on a phone's first screen; then the
 * other panels, and folded (open them to read them) the details, the status timeline (live from push
 * events), the supply network and the negotiation transcript. Toasts about a status the order has left go.
 *
 * No polling: every push event of this order refetches GET /orders/{id} (several events in a row
 * fold into one more fetch) and updates the parts in place, so an open counter form keeps its input.
 * @module views/customer/order
 */

import { h, clear } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { coalesced } from "../../core/coalesce.js";
import { onOrderEvent } from "../../core/push.js";
import { refresh } from "../../core/router.js";
import { loading, errorBox } from "../../ui/states.js";
import { orderName } from "../../logic/timeline.js";
import { customerNextStep } from "../../logic/payment.js";
import { statusTimeline } from "../../components/timeline.js";
import { orderValuesList } from "../../components/option-fields.js";
import { quotationPanel } from "../../components/quotation.js";
import { invoicePanel } from "../../components/invoice.js";
import { deliveryPanel } from "../../components/delivery.js";
import { loadProduct, announce } from "./shared.js";
import { statusCard } from "./order/status-card.js";
import { orderFacts } from "./order/facts.js";
import { folded, networkFold, transcriptFold } from "./order/folds.js";
import { announceFresh } from "./order/fresh.js";

/**
 * The order, or null after showing why it could not be read (nothing when the page was left).
 * @param {string} id
 * @param {HTMLElement} body
 * @param {AbortSignal} signal
 */
async function firstFetch(id, body, signal) {
  try {
    return await api(`/orders/${encodeURIComponent(id)}`, { signal });
  } catch (error) {
    if (!signal.aborted) clear(body).append(errorBox(error, () => refresh()));
    return null;
  }
}

/**
 * @param {{params: {id: string}, root: HTMLElement}} ctx
 */
export async function customerOrderView({ params, root }) {
  const id = params.id;
  const controller = new AbortController();
  const { signal } = controller;
  const heading = h("h1", {}, "Order");
  const body = h("div", { class: "order-body" }, loading("Loading the order…"));
  const back = h("p", { class: "back" }, h("a", { href: "#/orders" }, "← All orders"));
  root.append(h("div", { class: "view customer-view order-view" }, back, heading, body));

  /** @type {any} */
  let order = await firstFetch(id, body, signal);
  if (!order) return signal.aborted ? () => {} : () => controller.abort();
  const product = await loadProduct(order.product_id, { signal }).catch(() => null);

  const status = statusCard(id);
  const facts = h("dl", { class: "facts" });
  const refreshError = h("div");
  const timeline = statusTimeline(order);
  const onChange = () => refetch();
  const quotation = quotationPanel(order, { onChange });
  const invoice = invoicePanel(order, { onChange });
  const delivery = deliveryPanel(order, { onChange });
  const network = networkFold(id);
  const transcript = transcriptFold(id, signal);
  // what waits for the customer (answer, pay, confirm the delivery) comes first, right under the status
  const next = h("div", { class: "order-next", dataset: { testid: "next-step" } });
  const values = orderValuesList(order, "Your measurements, texts and files") || "";
  const detailsSection = folded(`details-${id}`, "Details", facts, values);
  const timelineSection = folded(`timeline-${id}`, "Status timeline", timeline);
  timelineSection.classList.add("timeline-panel");
  const main = h("div", { class: "order-main" }, delivery, invoice, quotation, detailsSection);

  clear(body).append(
    status,
    refreshError,
    next,
    h("div", { class: "order-grid" }, main, h("div", { class: "order-side" }, timelineSection)),
    network,
    transcript,
  );

  /** @param {string} now the order's status (a push event's, ahead of the order body) */
  const showStatus = (now) => status.show(now, order, { received: delivery.received() });

  /** The panel of the customer's next step at the top; the others, newest first, above the details. */
  function placePanels() {
    const step = customerNextStep(order, { received: delivery.received() });
    const current = step === "quotation" ? quotation : step === "invoice" ? invoice : step === "delivery" ? delivery : null;
    const rest = [delivery, invoice, quotation].filter((panel) => panel !== current);
    const placed = Array.from(main.children).filter((child) => child !== detailsSection);
    if (placed.length !== rest.length || placed.some((child, i) => child !== rest[i])) detailsSection.before(...rest);
    if (current && current.parentElement !== next) next.append(current);
    next.hidden = !current;
  }

  function renderAll() {
    heading.textContent = orderName(order);
    showStatus(order.status);
    clear(facts).append(...orderFacts(order, product));
    timeline.update(order);
    quotation.update(order);
    invoice.update(order);
    delivery.update(order);
    placePanels();
    network.update(order);
    transcript.update(order);
  }

  const refetch = coalesced(async () => {
    try {
      order = await api(`/orders/${encodeURIComponent(id)}`, { signal });
      clear(refreshError);
      renderAll();
      announceFresh(id, order);
    } catch (error) {
      if (signal.aborted) return;
      clear(refreshError).append(errorBox(error, () => refetch()));
    }
  }, () => signal.aborted);

  const unsubscribe = onOrderEvent((event) => {
    if (!event || event.order_id !== id) return;
    timeline.addEvent(event);
    if (event.status) showStatus(event.status);
    if (event.carrier) delivery.shipped(event);
    if (event.kind === "quotation" || event.kind === "invoice") {
      announce(event.kind, id, event.price, event.currency);
    }
    refetch();
  });

  renderAll();
  announceFresh(id, order);
  // Events between the first fetch and the subscription would be lost: fetch once more.
  refetch();

  return () => {
    unsubscribe();
    controller.abort();
  };
}

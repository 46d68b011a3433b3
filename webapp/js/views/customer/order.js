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
import { statusLabel, dateLabel, dateTimeLabel } from "../../core/format.js";
import { onOrderEvent, onNegotiationMessage, onReconnect } from "../../core/push.js";
import { refresh } from "../../core/router.js";
import { loading, empty, errorBox } from "../../ui/states.js";
import { eventSentence, orderName, statusTone } from "../../logic/timeline.js";
import { statusTimeline } from "../../components/timeline.js";
import { orderValuesList } from "../../components/option-fields.js";
import { quotationPanel } from "../../components/quotation.js";
import { invoicePanel } from "../../components/invoice.js";
import { deliveryPanel } from "../../components/delivery.js";
import { loadProduct, announce } from "./shared.js";
import { customerNextStep, paymentState } from "../../logic/payment.js";
import { dismissStaleOrderToasts } from "../../ui/toast.js";

/** What is happening, in the customer's words. */
const EXPLAINED = {
  received: "Your order is with the manufacturer's agent.",
  accepted: "The manufacturer has accepted your order.",
  rejected: "The manufacturer cannot make this order.",
  sourcing: "The agents are looking for suppliers for the parts.",
  negotiating: "The agents are negotiating prices and dates with suppliers.",
  quoted: "Your quotation is ready. Please answer it below.",
  countered: "Your counter-offer is with the manufacturer's agent.",
  confirmed: "You confirmed the quotation. The contracts are being prepared.",
  declined: "You declined the quotation. The order is closed.",
  contracting: "The contracts are being recorded on the ledger.",
  contracted: "The contracts are signed. Production starts soon.",
  in_production: "Your product is being made.",
  produced: "Your product is made. The invoice follows.",
  invoiced: "Your invoice is ready. Please pay it below.",
  paid: "Paid. Thank you! Your order will be shipped soon.",
  shipped: "Your order is on its way. Please confirm below once it has arrived.",
  delivered: "You confirmed the delivery. Thank you!",
  completed: "This order is complete: delivered and settled.",
  cancelled: "This order was cancelled.",
  failed: "This order could not be completed.",
};

/** Statuses after which a transcript of negotiations can exist. */
const BEFORE_NEGOTIATION = new Set(["received", "accepted", "rejected"]);
/** A quotation this recent is announced when the page opens (its push event may have come first). */
const FRESH_MS = 5 * 60 * 1000;

/** @type {Map<string, Promise<any>>} one import attempt per optional component module */
const optional = new Map();

/**
 * An optional component module (written by another team member); null when it cannot be loaded.
 * @param {"network"|"transcript"} name
 */
function component(name) {
  if (!optional.has(name)) {
    const load = name === "network"
      ? import("../../components/network.js")
      : import("../../components/transcript.js");
    optional.set(name, load.catch((error) => {
      console.warn(`optional component ${name}.js is not available`, error);
      return null;
    }));
  }
  return /** @type {Promise<any>} */ (optional.get(name));
}

/**
 * The first export of a module that is a function, among names; null when none.
 * @param {any} mod
 * @param {string[]} names
 */
function pick(mod, names) {
  for (const name of names) if (mod && typeof mod[name] === "function") return mod[name];
  return null;
}

/**
 * A section folded under its heading (open it to read it): what is not the current step.
 * @param {string} headingId
 * @param {string} title
 * @param {...any} content
 * @returns {HTMLDetailsElement}
 */
function folded(headingId, title, ...content) {
  return /** @type {HTMLDetailsElement} */ (h(
    "details",
    { class: "card panel fold", "aria-labelledby": headingId },
    h("summary", {}, h("h2", { id: headingId }, title)),
    h("div", { class: "fold-body" }, ...content),
  ));
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
  root.append(
    h(
      "div",
      { class: "view customer-view order-view" },
      h("p", { class: "back" }, h("a", { href: "#/orders" }, "← All orders")),
      heading,
      body,
    ),
  );

  /** @type {any} */
  let order;
  try {
    order = await api(`/orders/${encodeURIComponent(id)}`, { signal });
  } catch (error) {
    if (signal.aborted) return () => {};
    clear(body).append(errorBox(error, () => refresh()));
    return () => controller.abort();
  }

  /** @type {any} */
  let product = null;
  try {
    product = await loadProduct(order.product_id, { signal });
  } catch {
    product = null;
  }

  // ---------------------------------------------------------------- the parts
  const badge = h("span", { class: "badge", dataset: { testid: "order-status" } });
  const explanation = h("p", { class: "status-text" });
  const statusNote = h("p", { class: "status-note" });
  const facts = h("dl", { class: "facts" });
  const refreshError = h("div");
  const timeline = statusTimeline(order);
  const onChange = () => refetch();
  const quotation = quotationPanel(order, { onChange });
  const invoice = invoicePanel(order, { onChange });
  const delivery = deliveryPanel(order, { onChange });
  const networkBody = h("div", { class: "network-body" });
  const networkSection = folded(
    `network-${id}`,
    "Supply network",
    h("p", { class: "muted" }, "The parts of your product that are made elsewhere, and when they are expected."),
    networkBody,
  );
  networkSection.classList.add("network-panel");
  networkSection.hidden = true;
  const transcriptBody = h("div", { class: "transcript-body" });
  const transcriptSection = folded(
    `transcript-${id}`,
    "Negotiation transcript",
    h("p", { class: "muted" }, "The messages the agents exchanged about your order."),
    transcriptBody,
  );
  transcriptSection.classList.add("transcript-panel");
  transcriptSection.hidden = true;
  // what waits for the customer (answer, pay, confirm the delivery) comes first, right under the status
  const next = h("div", { class: "order-next", dataset: { testid: "next-step" } });
  const detailsSection = folded(
    `details-${id}`,
    "Details",
    facts,
    orderValuesList(order, "Your measurements, texts and files") || "",
  );
  const timelineSection = folded(`timeline-${id}`, "Status timeline", timeline);
  timelineSection.classList.add("timeline-panel");
  const main = h("div", { class: "order-main" }, delivery, invoice, quotation, detailsSection);

  clear(body).append(
    h(
      "div",
      { class: "card order-status-card" },
      h("p", { class: "status-line" }, h("span", { class: "status-label" }, "Status"), badge),
      explanation,
      statusNote,
    ),
    refreshError,
    next,
    h("div", { class: "order-grid" }, main, h("div", { class: "order-side" }, timelineSection)),
    networkSection,
    transcriptSection,
  );

  function renderFacts() {
    clear(facts);
    const options = Object.entries(order.options || {}).map(([optionId, choiceId]) => {
      const option = product && (product.options || []).find((/** @type {any} */ o) => o.id === optionId);
      const choice = option && (option.choices || []).find((/** @type {any} */ c) => c.id === choiceId);
      return h("div", {}, h("dt", {}, option ? option.label : optionId), h("dd", {}, choice ? choice.label : String(choiceId)));
    });
    facts.append(
      h(
        "div",
        {},
        h("dt", {}, "Product"),
        h("dd", {}, h("a", { href: `#/products/${encodeURIComponent(order.product_id)}` }, product ? product.name : order.product_id)),
      ),
      ...options,
      h("div", {}, h("dt", {}, "Quantity"), h("dd", {}, String(order.quantity))),
      h("div", {}, h("dt", {}, "Delivery wanted"), h("dd", {}, dateLabel(order.delivery_date))),
      h("div", {}, h("dt", {}, "Placed"), h("dd", {}, dateTimeLabel(order.created_at))),
      h("div", {}, h("dt", {}, "Order number"), h("dd", {}, String(order.number ?? "—"))),
    );
  }

  /** @param {string} status */
  function renderStatus(status) {
    dismissStaleOrderToasts(id, status);
    badge.textContent = statusLabel(status);
    badge.className = `badge tone-${statusTone(status)}`;
    explanation.textContent = status === "shipped" && delivery.received()
      ? "You confirmed the delivery. The manufacturer is recording it."
      : status === "invoiced" && paymentState(order).stage === "announced"
        ? "You announced your transfer. The manufacturer confirms it once the money arrives."
        : EXPLAINED[/** @type {keyof typeof EXPLAINED} */ (status)] || "";
    const history = order.history || [];
    const last = history.length ? history[history.length - 1] : null;
    const why = ["rejected", "failed", "cancelled", "declined"].includes(status) && last && last.to_status === status
      ? eventSentence({ status, event: last.event, params: last.params })
      : "";
    statusNote.textContent = why;
    statusNote.hidden = !why;
  }

  // ---------------------------------------------------------------- supply network and transcript
  let networkKey = "";
  async function renderNetwork() {
    const network = order.supply_network;
    const key = network ? JSON.stringify(network) : "";
    if (key === networkKey) return;
    networkKey = key;
    if (!network) {
      networkSection.hidden = true;
      return;
    }
    const mod = await component("network");
    if (signal.aborted) return;
    const picture = pick(mod, ["supplyNetworkPicture", "supplyNetwork"]);
    if (!picture) {
      networkSection.hidden = true;
      return;
    }
    try {
      const element = picture === mod.supplyNetworkPicture
        ? picture(network, { title: `Supply network of ${orderName(order).toLowerCase()}` })
        : picture(order);
      clear(networkBody).append(element);
      networkSection.hidden = false;
    } catch (error) {
      console.warn("supply network picture failed", error);
      networkSection.hidden = true;
    }
  }

  /** @type {any} fetched once, then kept current by negotiation-message events (components/transcript.js) */
  let liveTranscript = null;
  async function renderTranscript() {
    if (BEFORE_NEGOTIATION.has(order.status) || liveTranscript) return;
    liveTranscript = true;
    const mod = await component("transcript");
    const view = pick(mod, ["transcriptView"]);
    if (!view || !mod.liveTranscript || signal.aborted) return;
    const path = `/orders/${encodeURIComponent(id)}/negotiation`;
    liveTranscript = mod.liveTranscript({
      orderId: id,
      fetch: (/** @type {number | null} */ after) => api(after === null ? path : `${path}?after=${after}`, { signal }),
      onMessage: onNegotiationMessage,
      onReconnect,
      onChange: (/** @type {any} */ transcript) => {
        clear(transcriptBody).append(transcript.conversations.length ? view(transcript) : empty("No messages yet."));
        transcriptSection.hidden = false;
      },
      onError: (/** @type {unknown} */ error) => {
        if (signal.aborted) return;
        clear(transcriptBody).append(errorBox(error, () => liveTranscript.reload()));
        transcriptSection.hidden = false;
      },
    });
    signal.addEventListener("abort", () => liveTranscript.stop());
  }

  // ---------------------------------------------------------------- announcements
  /** Toast a quotation or invoice made in the last minutes (its push event may have come before this page). */
  function announceOpen() {
    const q = order.quotation;
    if (order.status === "quoted" && q) {
      const made = Date.parse(q.created_at || "");
      if (Number.isFinite(made) && Date.now() - made < FRESH_MS) {
        announce("quotation", id, q.total_price, q.currency);
      }
    }
    const open = (order.invoices || []).find((/** @type {any} */ i) => i.status === "issued");
    if (order.status === "invoiced" && open) {
      const made = Date.parse(open.created_at || "");
      if (Number.isFinite(made) && Date.now() - made < FRESH_MS) {
        announce("invoice", id, open.total, open.currency);
      }
    }
  }

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
    renderStatus(order.status);
    renderFacts();
    timeline.update(order);
    quotation.update(order);
    invoice.update(order);
    delivery.update(order);
    placePanels();
    renderNetwork();
    renderTranscript();
  }

  // ---------------------------------------------------------------- refetch on push events
  const refetch = coalesced(async () => {
    try {
      order = await api(`/orders/${encodeURIComponent(id)}`, { signal });
      clear(refreshError);
      renderAll();
      announceOpen();
    } catch (error) {
      if (signal.aborted) return;
      clear(refreshError).append(errorBox(error, () => refetch()));
    }
  }, () => signal.aborted);

  const unsubscribe = onOrderEvent((event) => {
    if (!event || event.order_id !== id) return;
    timeline.addEvent(event);
    if (event.status) renderStatus(event.status);
    if (event.carrier) delivery.shipped(event);
    if (event.kind === "quotation" || event.kind === "invoice") {
      announce(event.kind, id, event.price, event.currency);
    }
    refetch();
  });

  renderAll();
  announceOpen();
  // Events between the first fetch and the subscription would be lost: fetch once more.
  refetch();

  return () => {
    unsubscribe();
    controller.abort();
  };
}

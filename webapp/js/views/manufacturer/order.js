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
import { loadProductNames, optionLabels, productName } from "../../core/products.js";
import { h, clear } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { humanMessage } from "../../core/errors.js";
import { statusLabel, statusTone, dateLabel, money, dateTimeLabel } from "../../core/format.js";
import { orderName } from "../../logic/timeline.js";
import { onOrderEvent, onNegotiationMessage, onReconnect } from "../../core/push.js";
import { loading, errorBox } from "../../ui/states.js";
import { notify, orderTopic, dismissStaleOrderToasts } from "../../ui/toast.js";
import { groupsOfFour, paymentState } from "../../logic/payment.js";
import { field, showErrors } from "../../components/fields.js";
import { statusTimeline } from "../../components/timeline.js";
import { orderValuesList } from "../../components/option-fields.js";
import { supplyNetworkPicture } from "../../components/network.js";
import { transcriptView, liveTranscript } from "../../components/transcript.js";
import { offersTable } from "../../components/negotiation.js";
import { groupOffers, offerCount, supplierDirectory, supplierWords } from "../../logic/offers.js";
import { waitingSteps, checkReason, checkShipment, shipmentFacts, REASON_MAX, NAME_MAX } from "../../logic/manufacturer-steps.js";

const LIVE = new Set(["sourcing", "negotiating"]);

/**
 * What the actions depend on: the status, and for an invoiced order whether the payment is announced.
 * @param {any} order
 */
function stageOf(order) {
  return `${order.status}:${paymentState(order).stage}`;
}
/** A failed fetch of an order the agents are sourcing is tried again after this long. */
const POLL_MS = 1500;
const NEGOTIATION_DRAW_MS = 150;
/** Actions after which the order keeps its status (the form shows again). */
const SAME_STATUS = new Set(["production", "parts-confirmation"]);
/** Statuses whose buttons depend on the policy (read again when the order gets there). */
const POLICY_STEPS = new Set(["contracted", "paid"]);
/** Statuses after which the negotiation is worth showing. */
const NEGOTIATED = new Set(["sourcing", "negotiating", "quoted", "countered", "confirmed", "declined", "contracting",
  "contracted", "in_production", "produced", "invoiced", "paid", "shipped", "delivered", "completed", "failed"]);

/**
 * The manufacturer's order view.
 * @param {{root: HTMLElement, params: Record<string, string>}} ctx
 * @returns {Promise<() => void>}
 */
export async function manufacturerOrderView({ root, params }) {
  const id = params.id;
  const controller = new AbortController();
  const status = h("span", { class: "badge", "data-testid": "order-status" }, "…");
  const summary = h("div", { class: "order-facts" }, loading("Loading the order…"));
  const actions = h("div", { class: "order-actions", "aria-live": "polite" });
  const timelineBox = h("div", { class: "timeline-box" });
  const negotiationBox = h("div", { class: "negotiation-box" });
  const heading = h("h1", {}, "Order");
  // folded (open it to read it) except while the agents negotiate; the next step comes first
  const negotiationFold = /** @type {HTMLDetailsElement} */ (h("details",
    { class: "panel fold negotiation-panel", "aria-labelledby": "m-negotiation" },
    h("summary", {}, h("h2", { id: "m-negotiation" }, "Negotiation")), negotiationBox));
  let negotiationOpened = false;
  root.append(h("div", { class: "view manufacturer-view" },
    h("header", { class: "view-head" },
      h("p", {}, h("a", { href: "#/inbox" }, "← All orders")),
      heading,
      h("p", { class: "status-line" }, "Status: ", status)),
    h("div", { class: "order-grid manufacturer-grid" },
      h("div", { class: "stack" },
        h("section", { class: "panel next-step", "aria-labelledby": "m-actions" },
          h("h2", { id: "m-actions" }, "What you can do"), actions),
        h("section", { class: "panel", "aria-labelledby": "m-details" },
          h("h2", { id: "m-details" }, "Details"), summary),
        h("details", { class: "panel fold", "aria-labelledby": "m-timeline" },
          h("summary", {}, h("h2", { id: "m-timeline" }, "Status timeline")), timelineBox)),
      negotiationFold)));

  /** @type {any} */
  let order = null;
  /** @type {ReturnType<typeof statusTimeline> | null} */
  let timeline = null;
  /** @type {string} */
  let shownStatus = "";
  let busy = false;
  let stopped = false;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  /** @type {Promise<void> | null} */
  let negotiationRun = null;
  /** The progress form keeps its typed value across refreshes. */
  let progressValue = "";
  /** The reason and shipment forms keep their typed values across refreshes. */
  const drafts = { reason: "", carrier: "", reference: "" };
  /** The manufacturer's policy (`auto_receive_parts`, `auto_ship`, `carrier`); null while not known. */
  /** @type {any} */
  let policy = null;
  /** This order's push events, oldest first (the shipment and a moved delivery date come with them). */
  /** @type {any[]} */
  const events = [];

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
    const options = optionLabels(order.product_id, order.options).map((o) => `${o.option}: ${o.choice}`).join(", ");
    const quotation = order.quotation;
    const facts = shipmentFacts(order, events);
    clear(summary).append(h("dl", { class: "kv" },
      h("dt", {}, "Product"), h("dd", {}, productName(order.product_id)),
      h("dt", {}, "Options"), h("dd", {}, options || "none"),
      h("dt", {}, "Quantity"), h("dd", {}, String(order.quantity)),
      h("dt", {}, "Wanted by"), h("dd", {}, dateLabel(order.delivery_date)),
      quotation ? [h("dt", {}, "Quoted"), h("dd", {},
        money(quotation.total_price ?? quotation.price, quotation.currency))] : null,
      (order.invoices || []).length ? [h("dt", {}, "Invoice"), h("dd", {},
        order.invoices.map((/** @type {any} */ i) => `${money(i.total, i.currency)} (${i.status})`).join(", "))]
        : null,
      facts.deliveryNote ? [h("dt", {}, "Delivery"), h("dd", { "data-testid": "delivery-moved" }, facts.deliveryNote)]
        : null,
      facts.shipped ? [h("dt", {}, "Shipment"), h("dd", { "data-testid": "shipment" }, facts.shipped)] : null),
      orderValuesList(order) || "");
  }

  /**
   * Run an action; 409 and other errors are shown in words.
   * @param {string} path
   * @param {any} body
   * @param {string} done toast text
   * @param {Record<string, any>} [fields] field controls for 422 errors
   * @param {HTMLElement} [errorSlot]
   */
  async function act(path, body, done, fields, errorSlot) {
    if (busy) return;
    busy = true;
    for (const b of actions.querySelectorAll("button")) /** @type {HTMLButtonElement} */ (b).disabled = true;
    if (errorSlot) clear(errorSlot);
    try {
      await api(`/orders/${encodeURIComponent(id)}/${path}`, { method: "POST", json: body });
      notify(done, { tone: "success", topic: orderTopic(id, order ? order.status : "") });
      busy = false;
      if (SAME_STATUS.has(path)) shownStatus = "";
      else actions.append(h("p", { class: "muted" }, "Sent to your agent. Waiting for it to act…"));
      await refresh();
    } catch (err) {
      busy = false;
      const e = /** @type {any} */ (err);
      const rest = fields && e.status === 422 ? showErrors(fields, e.fieldErrors) : [];
      const said = humanMessage(e);
      const text = e.status === 409
        ? `${said}${/[.!?]$/.test(said) ? "" : "."} The page now shows the order's current state.`
        : [humanMessage(e), ...rest].join(" ");
      const box = h("p", { class: "form-error", role: "alert" }, text);
      if (errorSlot) errorSlot.append(box);
      else actions.prepend(box);
      for (const b of actions.querySelectorAll("button")) /** @type {HTMLButtonElement} */ (b).disabled = false;
      if (e.status === 409) await refresh({ keepActions: true });
    }
  }

  function renderActions() {
    const s = order.status;
    const errorSlot = h("div", { class: "action-error" });
    clear(actions);
    if (s === "received") {
      const reason = field("Reason (optional)", h("input", { type: "text", maxlength: 2000, autocomplete: "off" }),
        { hint: "Sent to the customer with your decision." });
      actions.append(
        h("p", {}, "A customer placed this order. Accept it to make it, or reject it."),
        reason.wrap,
        h("div", { class: "actions" },
          h("button", { type: "button", class: "button primary", on: { click: () => act("accept",
            { reason: /** @type {HTMLInputElement} */ (reason.input).value }, "Order accepted", { reason }, errorSlot) } },
          "Accept order"),
          h("button", { type: "button", class: "button danger", on: { click: () => act("reject",
            { reason: /** @type {HTMLInputElement} */ (reason.input).value }, "Order rejected", { reason }, errorSlot) } },
          "Reject order")),
        errorSlot);
    } else if (s === "accepted") {
      actions.append(
        h("p", {}, "Your agent will ask suppliers for the parts you do not make yourself and negotiate with them."),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "button primary", on: { click: () => act("sourcing", undefined,
            "Sourcing started: your agent is asking suppliers", undefined, errorSlot) } }, "Start sourcing")),
        errorSlot);
    } else if (s === "contracted" || s === "in_production") {
      if (s === "contracted") renderParts();
      const percent = field("Progress (%)", h("input", {
        type: "number", min: 0, max: 100, step: 1, inputmode: "numeric", required: true,
        value: progressValue || (s === "contracted" ? "0" : ""),
        on: { input: (/** @type {Event} */ ev) => { progressValue = /** @type {HTMLInputElement} */ (ev.target).value; } },
      }), { hint: "0 to 100. 100 means the product is finished." });
      const note = field("Note (optional)", h("input", { type: "text", maxlength: 2000, autocomplete: "off" }));
      const form = h("form", { class: "progress-form", novalidate: true },
        percent.wrap, note.wrap,
        h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, "Report progress")),
        errorSlot);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const raw = /** @type {HTMLInputElement} */ (percent.input).value.trim();
        const value = Number(raw);
        if (raw === "" || !Number.isInteger(value) || value < 0 || value > 100) {
          percent.setError("Enter a whole number from 0 to 100.");
          percent.input.focus();
          return;
        }
        percent.setError("");
        progressValue = "";
        act("production", { percent: value, note: /** @type {HTMLInputElement} */ (note.input).value },
          value === 100 ? "Production finished" : `Progress reported: ${value} %`, { percent, note }, errorSlot);
      });
      actions.append(h("p", {}, s === "contracted"
        ? "Or report how far production is; 100 % means finished."
        : "Report how far production is; 100 % means finished."), form);
    } else if (s === "produced") {
      actions.append(
        h("p", {}, "The product is finished. Raise the invoice so the customer can pay."),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "button primary", on: { click: () => act("invoice", undefined,
            "Invoice raised", undefined, errorSlot) } }, "Raise invoice")),
        errorSlot);
    } else if (s === "invoiced" && paymentState(order).stage === "announced") {
      renderPaymentReceived();
    } else if (s === "paid" && waitingSteps(order, policy).ship) {
      renderShipping();
    } else {
      const waiting = {
        sourcing: "Your agent is asking suppliers for offers. Watch the negotiation on this page.",
        negotiating: "Your agent is negotiating with suppliers. Watch the offers arrive on this page.",
        quoted: "The customer has the quotation and decides next.",
        countered: "The customer made a counter-offer; your agent answers it.",
        confirmed: "The customer confirmed. The contracts with the suppliers are being made.",
        contracting: "The contracts are being made.",
        invoiced: "Waiting for the customer to pay.",
        paid: "The customer paid. Your agent ships the order with your carrier.",
        shipped: "The order is on its way. Waiting for the customer to confirm the delivery.",
      };
      const text = waiting[/** @type {keyof typeof waiting} */ (s)]
        || `Nothing to do: the order is ${statusLabel(s).toLowerCase()}.`;
      actions.append(h("p", { class: "muted" }, text));
    }
  }

  /** A contracted order waits for its parts: "Parts received" (policy) and "Start production now". */
  function renderParts() {
    const steps = waitingSteps(order, policy);
    actions.append(h("p", {}, "The contract is signed. Production starts once every part from your suppliers is in."));
    if (steps.confirmParts) {
      const partsError = h("div", { class: "action-error" });
      actions.append(
        h("p", { class: "muted" }, "When parts your suppliers shipped have arrived, confirm it: your agent records "
          + "their receipt (and claims the agreed penalty for a late part)."),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "button primary", "data-testid": "parts-received", on: { click: () =>
            act("parts-confirmation", undefined, "Parts receipt confirmed", undefined, partsError) } },
          "Parts received")),
        partsError);
    }
    if (steps.startProduction) {
      const reasonError = h("div", { class: "action-error" });
      const reason = field("Why start now?", h("textarea", {
        rows: 2, maxlength: REASON_MAX, autocomplete: "off", enterkeyhint: "send", "data-testid": "start-reason",
        on: { input: (/** @type {Event} */ ev) => { drafts.reason = /** @type {HTMLTextAreaElement} */ (ev.target).value; } },
      }), { hint: "Kept in the order's history." });
      /** @type {HTMLTextAreaElement} */ (reason.input).value = drafts.reason;
      reason.input.addEventListener("input", () => reason.setError(""));
      const form = h("form", { class: "start-form", novalidate: true },
        h("h3", {}, "Start before every part is in"),
        reason.wrap,
        h("div", { class: "actions" },
          h("button", { type: "submit", class: "button", "data-testid": "start-production" }, "Start production now")),
        reasonError);
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        const checked = checkReason(/** @type {HTMLTextAreaElement} */ (reason.input).value);
        reason.setError(checked.error);
        if (checked.error) {
          reason.input.focus();
          return;
        }
        drafts.reason = "";
        act("production-start", { reason: checked.reason }, "Production started", { reason }, reasonError);
      });
      actions.append(form);
    }
  }

  /** The customer announced its transfer: "Payment received?" with its amount and reference. */
  function renderPaymentReceived() {
    const { payment } = paymentState(order);
    const errorSlot = h("div", { class: "action-error" });
    actions.append(
      h("h3", {}, "Payment received?"),
      h("p", {}, "The customer says it has transferred the invoice's amount. Check your account for this "
        + "transfer, then confirm it arrived: the order is paid and goes on to shipping."),
      h("dl", { class: "kv" },
        h("dt", {}, "Amount"), h("dd", { "data-testid": "announced-amount" }, money(payment.amount, payment.currency)),
        h("dt", {}, "Reference"), h("dd", { class: "mono", "data-testid": "announced-reference" },
          groupsOfFour(payment.reference || "")),
        h("dt", {}, "Announced"), h("dd", {}, dateTimeLabel(payment.paid_at))),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "button primary", "data-testid": "confirm-payment", on: { click: () =>
          act("payment-confirmation", undefined, "Payment confirmed", undefined, errorSlot) } },
        "Confirm payment received")),
      errorSlot);
  }

  /** A paid order waits for the manufacturer to ship it: carrier and tracking reference. */
  function renderShipping() {
    const errorSlot = h("div", { class: "action-error" });
    const carrier = field("Carrier", h("input", {
      type: "text", maxlength: NAME_MAX, autocomplete: "off", enterkeyhint: "next", "data-testid": "ship-carrier",
      on: { input: (/** @type {Event} */ ev) => { drafts.carrier = /** @type {HTMLInputElement} */ (ev.target).value; } },
    }), { hint: "Who carries the parcel, for example DHL." });
    const reference = field("Tracking reference", h("input", {
      type: "text", maxlength: NAME_MAX, autocomplete: "off", autocapitalize: "characters", spellcheck: "false",
      enterkeyhint: "send", "data-testid": "ship-reference",
      on: { input: (/** @type {Event} */ ev) => { drafts.reference = /** @type {HTMLInputElement} */ (ev.target).value; } },
    }), { hint: "The customer follows the parcel with it." });
    /** @type {HTMLInputElement} */ (carrier.input).value = drafts.carrier || (policy && policy.carrier) || "";
    /** @type {HTMLInputElement} */ (reference.input).value = drafts.reference;
    for (const one of [carrier, reference]) one.input.addEventListener("input", () => one.setError(""));
    const form = h("form", { class: "ship-form", novalidate: true },
      carrier.wrap, reference.wrap,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary", "data-testid": "ship" }, "Ship")),
      errorSlot);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const checked = checkShipment(/** @type {HTMLInputElement} */ (carrier.input).value,
        /** @type {HTMLInputElement} */ (reference.input).value);
      carrier.setError(checked.errors.carrier || "");
      reference.setError(checked.errors.reference || "");
      if (checked.errors.carrier || checked.errors.reference) {
        (checked.errors.carrier ? carrier : reference).input.focus();
        return;
      }
      drafts.carrier = "";
      drafts.reference = "";
      act("shipment", checked.value, `Shipped with ${checked.value.carrier}`, { carrier, reference }, errorSlot);
    });
    actions.append(h("p", {}, "The customer paid. Ship the order and give the carrier's tracking reference."), form);
  }

  /** @type {import("../../components/transcript.js").LiveTranscript | null} fetched once, then kept current
   * by negotiation-message events */
  let negotiation = null;
  /** A burst of messages draws the negotiation once per NEGOTIATION_DRAW_MS, not once per message. */
  const drawNegotiation = coalesced(async () => {
    await new Promise((resolve) => setTimeout(resolve, NEGOTIATION_DRAW_MS));
    if (!stopped) await loadNegotiation();
  }, () => stopped);

  function liveNegotiation() {
    if (!negotiation) {
      const path = `/orders/${encodeURIComponent(id)}/negotiation`;
      negotiation = liveTranscript({
        orderId: id,
        fetch: (after) => api(after === null ? path : `${path}?after=${after}`, { signal: controller.signal }),
        onMessage: onNegotiationMessage,
        onReconnect,
        onChange: () => {
          drawNegotiation();
        },
        onError: (err) => {
          if (/** @type {any} */ (err).name !== "AbortError") {
            clear(negotiationBox).append(errorBox(err, () => negotiation && negotiation.reload()));
          }
        },
      });
    }
    return negotiation;
  }

  async function loadNegotiation() {
    if (!order || !NEGOTIATED.has(order.status)) {
      clear(negotiationBox).append(h("p", { class: "muted" },
        "The negotiation starts when sourcing starts. Offers and the supply network appear here live."));
      return;
    }
    if (negotiationRun) return negotiationRun;
    negotiationRun = (async () => {
      try {
        const held = liveNegotiation();
        await held.ready;
        const transcript = held.current();
        if (!transcript || stopped) return; // not fetched: its error box says why
        const grouped = groupOffers(transcript);
        const directory = supplierDirectory(transcript);
        const live = LIVE.has(order.status);
        const open = negotiationBox.querySelector("details.conversations-wrap");
        const wasOpen = open ? /** @type {HTMLDetailsElement} */ (open).open : false;
        clear(negotiationBox).append(
          h("p", { class: "muted" }, live
            ? `Live: ${offerCount(grouped)} offer${offerCount(grouped) === 1 ? "" : "s"} so far, updated as they arrive.`
            : `${offerCount(grouped)} offer${offerCount(grouped) === 1 ? "" : "s"} in total.`),
          offersTable(grouped, directory),
          h("h3", {}, "Supply network"),
          supplyNetworkPicture(order.supply_network, {
            offers: grouped,
            title: orderName(order).toLowerCase(),
            supplierName: (supplierId) => supplierWords(supplierId, directory),
          }),
          h("details", { class: "conversations-wrap", open: wasOpen },
            h("summary", {}, "Negotiation transcript"),
            transcriptView(transcript)));
      } catch (err) {
        if (/** @type {any} */ (err).name === "AbortError") return;
        clear(negotiationBox).append(errorBox(err, () => loadNegotiation()));
      } finally {
        negotiationRun = null;
      }
    })();
    return negotiationRun;
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

  /**
   * @param {{keepActions?: boolean}} [options]
   */
  async function refreshOnce({ keepActions = false } = {}) {
    if (stopped) return;
    try {
      order = await api(`/orders/${encodeURIComponent(id)}`, { signal: controller.signal });
    } catch (err) {
      if (/** @type {any} */ (err).name === "AbortError") return;
      if (!order) {
        clear(summary).append(errorBox(err, () => refresh()));
        status.textContent = "Unknown";
      } else {
        notify(humanMessage(err), { tone: "error" });
      }
      schedule();
      return;
    }
    const stage = stageOf(order);
    if (stage !== shownStatus && POLICY_STEPS.has(order.status)) await loadPolicy();
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
    if (!busy && !keepActions && stage !== shownStatus) renderActions();
    if (!keepActions) shownStatus = stage;
    else if (stage !== shownStatus) {
      shownStatus = stage;
      const notice = actions.querySelector(".form-error");
      renderActions();
      if (notice) actions.prepend(notice);
    }
    await loadNegotiation(); // later changes come by push: statuses (onOrderEvent), messages (the transcript)
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
    if (negotiation) negotiation.stop();
    controller.abort();
  };
}

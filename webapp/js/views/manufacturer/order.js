/**
 * Manufacturer: one order — act on it (accept, reject, start sourcing, report progress, raise the invoice),
 * watch the negotiation live and see the supply network forming.
 * @module views/manufacturer/order
 */

import { coalesced } from "../../core/coalesce.js";
import { loadProductNames, productName } from "../../core/products.js";
import { h, clear } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { humanMessage } from "../../core/errors.js";
import { statusLabel, statusTone, dateLabel, money, shortId } from "../../core/format.js";
import { onOrderEvent } from "../../core/push.js";
import { loading, errorBox } from "../../ui/states.js";
import { notify } from "../../ui/toast.js";
import { field, showErrors } from "../../components/fields.js";
import { statusTimeline } from "../../components/timeline.js";
import { supplyNetworkPicture } from "../../components/network.js";
import { transcriptView } from "../../components/transcript.js";
import { offersTable } from "../../components/negotiation.js";
import { groupOffers, offerCount } from "../../logic/offers.js";

const LIVE = new Set(["sourcing", "negotiating"]);
const POLL_MS = 1500;
/** Statuses after which the negotiation is worth showing. */
const NEGOTIATED = new Set(["sourcing", "negotiating", "quoted", "countered", "confirmed", "declined", "contracting",
  "contracted", "in_production", "produced", "invoiced", "paid", "delivered", "completed", "failed"]);

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
  root.append(h("div", { class: "view manufacturer-view" },
    h("header", { class: "view-head" },
      h("p", {}, h("a", { href: "#/inbox" }, "← All orders")),
      h("h1", {}, `Order ${shortId(id)}`),
      h("p", { class: "status-line" }, "Status: ", status)),
    h("div", { class: "order-grid manufacturer-grid" },
      h("div", { class: "stack" },
        h("section", { class: "panel", "aria-labelledby": "m-details" },
          h("h2", { id: "m-details" }, "Details"), summary),
        h("section", { class: "panel", "aria-labelledby": "m-actions" },
          h("h2", { id: "m-actions" }, "What you can do"), actions),
        h("section", { class: "panel", "aria-labelledby": "m-timeline" },
          h("h2", { id: "m-timeline" }, "Status timeline"), timelineBox)),
      h("section", { class: "panel negotiation-panel", "aria-labelledby": "m-negotiation" },
        h("h2", { id: "m-negotiation" }, "Negotiation"), negotiationBox))));

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

  function renderSummary() {
    status.textContent = statusLabel(order.status);
    status.className = `badge tone-${statusTone(order.status)}`;
    const options = Object.entries(order.options || {}).map(([k, v]) => `${k}: ${v}`).join(", ");
    const quotation = order.quotation;
    clear(summary).append(h("dl", { class: "kv" },
      h("dt", {}, "Product"), h("dd", {}, productName(order.product_id)),
      h("dt", {}, "Options"), h("dd", {}, options || "none"),
      h("dt", {}, "Quantity"), h("dd", {}, String(order.quantity)),
      h("dt", {}, "Wanted by"), h("dd", {}, dateLabel(order.delivery_date)),
      quotation ? [h("dt", {}, "Quoted"), h("dd", {},
        money(quotation.total_price ?? quotation.price, quotation.currency))] : null,
      (order.invoices || []).length ? [h("dt", {}, "Invoice"), h("dd", {},
        order.invoices.map((/** @type {any} */ i) => `${money(i.total, i.currency)} (${i.status})`).join(", "))]
        : null));
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
      notify(done, { tone: "success" });
      busy = false;
      if (path === "production") shownStatus = "";
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
        ? "The contract is signed. Report how far production is; 100 % means finished."
        : "Report how far production is; 100 % means finished."), form);
    } else if (s === "produced") {
      actions.append(
        h("p", {}, "The product is finished. Raise the invoice so the customer can pay."),
        h("div", { class: "actions" },
          h("button", { type: "button", class: "button primary", on: { click: () => act("invoice", undefined,
            "Invoice raised", undefined, errorSlot) } }, "Raise invoice")),
        errorSlot);
    } else {
      const waiting = {
        sourcing: "Your agent is asking suppliers for offers. Watch the negotiation on this page.",
        negotiating: "Your agent is negotiating with suppliers. Watch the offers arrive on this page.",
        quoted: "The customer has the quotation and decides next.",
        countered: "The customer made a counter-offer; your agent answers it.",
        confirmed: "The customer confirmed. The contracts with the suppliers are being made.",
        contracting: "The contracts are being made.",
        invoiced: "Waiting for the customer to pay.",
      };
      const text = waiting[/** @type {keyof typeof waiting} */ (s)]
        || `Nothing to do: the order is ${statusLabel(s).toLowerCase()}.`;
      actions.append(h("p", { class: "muted" }, text));
    }
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
        const transcript = await api(`/orders/${encodeURIComponent(id)}/negotiation`, { signal: controller.signal });
        const grouped = groupOffers(transcript);
        const live = LIVE.has(order.status);
        const open = negotiationBox.querySelector("details.conversations-wrap");
        const wasOpen = open ? /** @type {HTMLDetailsElement} */ (open).open : false;
        clear(negotiationBox).append(
          h("p", { class: "muted" }, live
            ? `Live: ${offerCount(grouped)} offer${offerCount(grouped) === 1 ? "" : "s"} so far, updated every few seconds.`
            : `${offerCount(grouped)} offer${offerCount(grouped) === 1 ? "" : "s"} in total.`),
          offersTable(grouped),
          h("h3", {}, "Supply network"),
          supplyNetworkPicture(order.supply_network, { offers: grouped, title: `order ${shortId(id)}` }),
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
    renderSummary();
    if (!timeline) {
      timeline = statusTimeline(order);
      clear(timelineBox).append(timeline);
    } else {
      timeline.update(order);
    }
    if (!busy && !keepActions && order.status !== shownStatus) renderActions();
    if (!keepActions) shownStatus = order.status;
    else if (order.status !== shownStatus) {
      shownStatus = order.status;
      const notice = actions.querySelector(".form-error");
      renderActions();
      if (notice) actions.prepend(notice);
    }
    await loadNegotiation();
    schedule();
  }

  const unsubscribe = onOrderEvent((event) => {
    if (!event || event.order_id !== id) return;
    if (timeline) timeline.addEvent(event);
    refresh();
  });
  await loadProductNames({ signal: controller.signal });
  await refresh();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    unsubscribe();
    controller.abort();
  };
}

/**
 * The manufacturer's order page: "What you can do" for the order's status — accept or reject, start sourcing,
 * confirm the parts received or start production before they are in, report progress, raise the invoice,
 * confirm an announced payment, ship — or, while the order waits for others, what it waits for.
 * @module views/manufacturer/order/actions
 */

import { h } from "../../../core/dom.js";
import { statusLabel, money, dateTimeLabel } from "../../../core/format.js";
import { groupsOfFour, paymentState } from "../../../logic/payment.js";
import { waitingSteps, checkReason, checkShipment, REASON_MAX, NAME_MAX } from "../../../logic/manufacturer-steps.js";
import { field } from "../../../components/fields.js";

/**
 * @typedef {object} Drafts what the forms keep typed across refreshes
 * @property {string} reason   why production starts before every part is in
 * @property {string} carrier
 * @property {string} reference
 * @property {string} progress the progress form's percent
 */

/**
 * Send an action to the agent (POST /orders/{id}/{path}); errors appear in `errorSlot`, field errors next to
 * `fields`.
 * @typedef {(path: string, body: any, done: string, fields?: Record<string, any>, errorSlot?: HTMLElement)
 *   => Promise<void>} Act
 */

/**
 * @typedef {object} ActionContext
 * @property {any} order GET /orders/{id} body
 * @property {any} policy the manufacturer's policy, null while not known
 * @property {Drafts} drafts
 * @property {Act} act
 */

/** What the order waits for when the manufacturer has nothing to do. */
const WAITING = {
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

/**
 * @param {string} label
 * @param {() => void} onClick
 * @param {{className?: string, testid?: string}} [options]
 */
function button(label, onClick, { className = "button primary", testid } = {}) {
  return h("button", { type: "button", class: className, "data-testid": testid, on: { click: onClick } }, label);
}

/**
 * The children of "What you can do" for the order as it is now.
 * @param {ActionContext} context
 * @returns {HTMLElement[]}
 */
export function orderActions(context) {
  const { order, policy } = context;
  const s = order.status;
  if (s === "received") return decision(context);
  if (s === "accepted") return oneStep(context, "Your agent will ask suppliers for the parts you do not make yourself "
    + "and negotiate with them.", "Start sourcing", "sourcing", "Sourcing started: your agent is asking suppliers");
  if (s === "contracted") return [...parts(context), ...progress(context)];
  if (s === "in_production") return progress(context);
  if (s === "produced") return oneStep(context, "The product is finished. Raise the invoice so the customer can pay.",
    "Raise invoice", "invoice", "Invoice raised");
  if (s === "invoiced" && paymentState(order).stage === "announced") return paymentReceived(context);
  if (s === "paid" && waitingSteps(order, policy).ship) return shipping(context);
  const text = WAITING[/** @type {keyof typeof WAITING} */ (s)] || `Nothing to do: the order is ${statusLabel(s).toLowerCase()}.`;
  return [h("p", { class: "muted" }, text)];
}

/**
 * A sentence and one button that sends an action without a body.
 * @param {ActionContext} context
 * @param {string} text
 * @param {string} label
 * @param {string} path
 * @param {string} done
 */
function oneStep({ act }, text, label, path, done) {
  const errorSlot = h("div", { class: "action-error" });
  return [h("p", {}, text), h("div", { class: "actions" }, button(label, () => act(path, undefined, done, undefined, errorSlot))), errorSlot];
}

/** @param {ActionContext} context */
function decision({ act }) {
  const errorSlot = h("div", { class: "action-error" });
  const reason = field("Reason (optional)", h("input", { type: "text", maxlength: 2000, autocomplete: "off" }),
    { hint: "Sent to the customer with your decision." });
  /** @param {string} path @param {string} done */
  const decide = (path, done) =>
    act(path, { reason: /** @type {HTMLInputElement} */ (reason.input).value }, done, { reason }, errorSlot);
  return [
    h("p", {}, "A customer placed this order. Accept it to make it, or reject it."),
    reason.wrap,
    h("div", { class: "actions" },
      button("Accept order", () => decide("accept", "Order accepted")),
      button("Reject order", () => decide("reject", "Order rejected"), { className: "button danger" })),
    errorSlot,
  ];
}

/**
 * A contracted or producing order: report how far production is (100 % means finished).
 * @param {ActionContext} context
 */
function progress({ order, drafts, act }) {
  const contracted = order.status === "contracted";
  const errorSlot = h("div", { class: "action-error" });
  const percent = field("Progress (%)", h("input", {
    type: "number", min: 0, max: 100, step: 1, inputmode: "numeric", required: true,
    value: drafts.progress || (contracted ? "0" : ""),
    on: { input: (/** @type {Event} */ ev) => { drafts.progress = /** @type {HTMLInputElement} */ (ev.target).value; } },
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
    drafts.progress = "";
    act("production", { percent: value, note: /** @type {HTMLInputElement} */ (note.input).value },
      value === 100 ? "Production finished" : `Progress reported: ${value} %`, { percent, note }, errorSlot);
  });
  return [h("p", {}, contracted
    ? "Or report how far production is; 100 % means finished."
    : "Report how far production is; 100 % means finished."), form];
}

/**
 * A contracted order waits for its parts: "Parts received" (policy) and "Start production now".
 * @param {ActionContext} context
 */
function parts(context) {
  const steps = waitingSteps(context.order, context.policy);
  const found = [h("p", {}, "The contract is signed. Production starts once every part from your suppliers is in.")];
  if (steps.confirmParts) {
    const partsError = h("div", { class: "action-error" });
    found.push(
      h("p", { class: "muted" }, "When parts your suppliers shipped have arrived, confirm it: your agent records "
        + "their receipt (and claims the agreed penalty for a late part)."),
      h("div", { class: "actions" }, button("Parts received", () =>
        context.act("parts-confirmation", undefined, "Parts receipt confirmed", undefined, partsError), { testid: "parts-received" })),
      partsError);
  }
  if (steps.startProduction) found.push(startNow(context));
  return found;
}

/**
 * "Start production now", with the reason kept in the order's history.
 * @param {ActionContext} context
 */
function startNow({ drafts, act }) {
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
  return form;
}

/**
 * The customer announced its transfer: "Payment received?" with its amount and reference.
 * @param {ActionContext} context
 */
function paymentReceived({ order, act }) {
  const { payment } = paymentState(order);
  const errorSlot = h("div", { class: "action-error" });
  return [
    h("h3", {}, "Payment received?"),
    h("p", {}, "The customer says it has transferred the invoice's amount. Check your account for this "
      + "transfer, then confirm it arrived: the order is paid and goes on to shipping."),
    h("dl", { class: "kv" },
      h("dt", {}, "Amount"), h("dd", { "data-testid": "announced-amount" }, money(payment.amount, payment.currency)),
      h("dt", {}, "Reference"), h("dd", { class: "mono", "data-testid": "announced-reference" },
        groupsOfFour(payment.reference || "")),
      h("dt", {}, "Announced"), h("dd", {}, dateTimeLabel(payment.paid_at))),
    h("div", { class: "actions" }, button("Confirm payment received", () =>
      act("payment-confirmation", undefined, "Payment confirmed", undefined, errorSlot), { testid: "confirm-payment" })),
    errorSlot,
  ];
}

/**
 * @param {string} label
 * @param {string} value
 * @param {(value: string) => void} keep
 * @param {Record<string, any>} attrs
 * @param {string} hint
 */
function shipField(label, value, keep, attrs, hint) {
  const one = field(label, h("input", {
    type: "text", maxlength: NAME_MAX, autocomplete: "off", ...attrs,
    on: { input: (/** @type {Event} */ ev) => keep(/** @type {HTMLInputElement} */ (ev.target).value) },
  }), { hint });
  /** @type {HTMLInputElement} */ (one.input).value = value;
  one.input.addEventListener("input", () => one.setError(""));
  return one;
}

/**
 * A paid order waits for the manufacturer to ship it: carrier and tracking reference.
 * @param {ActionContext} context
 */
function shipping({ policy, drafts, act }) {
  const errorSlot = h("div", { class: "action-error" });
  const carrier = shipField("Carrier", drafts.carrier || (policy && policy.carrier) || "",
    (value) => { drafts.carrier = value; },
    { enterkeyhint: "next", "data-testid": "ship-carrier" }, "Who carries the parcel, for example DHL.");
  const reference = shipField("Tracking reference", drafts.reference, (value) => { drafts.reference = value; },
    { autocapitalize: "characters", spellcheck: "false", enterkeyhint: "send", "data-testid": "ship-reference" },
    "The customer follows the parcel with it.");
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
  return [h("p", {}, "The customer paid. Ship the order and give the carrier's tracking reference."), form];
}

/**
 * The manufacturer's quotation and the customer's answers to it: "Confirm", "Decline" (with an optional
 * reason), "Counter" (a form: "Your price", "Delivery date", a note; button "Send counter-offer").
 * "Confirm" first shows what the customer binds itself to (total, delivery date, late-delivery terms, payment
 * method); only its "Confirm and sign" sends the confirmation.
 *
 *   const panel = quotationPanel(order, { onChange: () => refetch() });
 *   root.append(panel);            // hidden while the order has no quotation
 *   panel.update(order);           // after every refetch; an open form keeps what was typed
 *
 * The answers go to POST /orders/{id}/confirm, /decline ({reason}) and /counter (CounterCreate).
 * A 202 means the agents have the answer; the status changes when they act on it (push events).
 * 409 (the order moved on) is explained in words and the order is fetched again; 422 field errors
 * appear next to the fields.
 *
 * @module components/quotation
 */

import { h, clear } from "../core/dom.js";
import { api } from "../core/api.js";
import { errorBox } from "../ui/states.js";
import { notify, orderTopic } from "../ui/toast.js";
import { showErrors } from "./fields.js";
import { paymentTerms, signReview } from "./payment-review.js";
import { quotationHeadline, quotationDetails } from "./quotation-summary.js";
import { counterForm, declineForm } from "./quotation-answers.js";

/** What the customer sees about the quotation once it is no longer open, by order status. */
const AFTER = {
  countered: "You sent a counter-offer. The manufacturer's agent is considering it.",
  confirmed: "You confirmed this quotation. The contracts are being made.",
  contracting: "You confirmed this quotation. The contracts are being made.",
  contracted: "You confirmed this quotation; it is now a contract.",
  in_production: "You confirmed this quotation; it is now a contract.",
  produced: "You confirmed this quotation; it is now a contract.",
  invoiced: "You confirmed this quotation; it is now a contract.",
  paid: "You confirmed this quotation; it is now a contract.",
  delivered: "You confirmed this quotation; it is now a contract.",
  completed: "You confirmed this quotation; it is now a contract.",
  declined: "You declined this quotation.",
  cancelled: "The order was cancelled.",
  failed: "The order could not be completed.",
};

/** @typedef {"confirm"|"decline"|"counter"} Answer */

/** The answer buttons, in their order. */
const ANSWERS = /** @type {const} */ ([
  { answer: "confirm", label: "Confirm", className: "primary" },
  { answer: "counter", label: "Counter", className: "" },
  { answer: "decline", label: "Decline", className: "danger" },
]);

/** What the toast says once an answer was sent. */
const SENT = {
  confirm: "Quotation confirmed.",
  decline: "Quotation declined.",
  counter: "Counter-offer sent.",
};

/** Words for an answer on its way, until the order's status moves. */
const PENDING = {
  confirm: "Confirmation sent. Waiting for the manufacturer's agent…",
  decline: "Decline sent. Waiting for the manufacturer's agent…",
  counter: "Counter-offer sent. Waiting for the manufacturer's agent…",
};

/**
 * @typedef {HTMLElement & {update: (order: any) => void}} QuotationPanel
 */

/**
 * The panel's state line: the answer on its way, else the open quotation's call to answer, else what became of it.
 * @param {any} order GET /orders/{id} body
 * @param {Answer|null} pending the answer sent for the current quotation
 * @returns {string}
 */
function stateText(order, pending) {
  if (pending) return PENDING[pending];
  if (order.status === "quoted" && order.quotation) {
    return "The manufacturer's agents have priced your order. Confirm it, counter it or decline it.";
  }
  return AFTER[/** @type {keyof typeof AFTER} */ (order.status)] || "";
}

/**
 * "Confirm", "Counter" and "Decline"; each opens (or closes) its form.
 * @param {Answer|null} openForm
 * @param {(answer: Answer) => void} onToggle
 */
function answerButtons(openForm, onToggle) {
  return ANSWERS.map(({ answer, label, className }) =>
    h(
      "button",
      {
        type: "button",
        class: ["button", className],
        "aria-expanded": openForm === answer ? "true" : "false",
        on: { click: () => onToggle(answer) },
      },
      label,
    ),
  );
}

/**
 * Why an answer was not taken: field errors next to their fields (the others in the box), or the error's box.
 * @param {unknown} error
 * @param {Record<string, import("./fields.js").Field>} fields
 * @returns {HTMLElement}
 */
function answerError(error, fields) {
  const err = /** @type {any} */ (error);
  if (err && err.status === 422 && err.fieldErrors && Object.keys(fields).length) {
    const rest = showErrors(fields, err.fieldErrors);
    return errorBox(rest.length ? { ...err, detail: rest.join(" ") } : err);
  }
  return errorBox(error);
}

/**
 * The review of what confirming binds the customer to, once the payment terms are read; "Confirm and sign"
 * sends the confirmation.
 * @param {string} orderId
 * @param {any} quotation QuotationPublic
 * @param {{stillWanted: () => boolean, onSign: () => void, onBack: () => void, onShown: () => void}} actions
 */
function signForm(orderId, quotation, { stillWanted, onSign, onBack, onShown }) {
  const slot = h("div", { class: "sign-slot" }, h("p", { class: "muted" }, "Loading the terms…"));
  paymentTerms(orderId).then((terms) => {
    if (!stillWanted()) return;
    clear(slot).append(signReview(quotation, terms, { onSign, onBack }));
    onShown();
  });
  return slot;
}

/**
 * The panel and its slots, top to bottom: the price (summary), the state line, errors, the answer buttons, the
 * open answer's form, then the quotation's facts and breakdown (more).
 * @param {string} orderId
 */
function panelParts(orderId) {
  const headingId = `quotation-${orderId}`;
  const parts = {
    summary: h("div", { class: "quote-summary" }),
    stateLine: h("p", { class: "quote-state", role: "status" }),
    errorSlot: h("div", { class: "quote-error" }),
    actions: h("div", { class: "actions quote-actions" }),
    formSlot: h("div", { class: "quote-form" }),
    more: h("div", { class: "quote-more" }),
  };
  const panel = /** @type {QuotationPanel} */ (
    h(
      "section",
      { class: "card panel quotation-panel", "aria-labelledby": headingId },
      h("h2", { id: headingId }, "Quotation"),
      Object.values(parts),
    )
  );
  return { panel, ...parts };
}

/**
 * @param {any} order GET /orders/{id} body
 * @param {{onChange?: () => void}} [options] called after an answer was sent or refused (refetch)
 * @returns {QuotationPanel}
 */
export function quotationPanel(order, { onChange = () => {} } = {}) {
  const { panel, summary, stateLine, errorSlot, actions, formSlot, more } = panelParts(order.id);
  let current = order;
  /** @type {string|null} quotation id whose form is open */
  let formFor = null;
  /** @type {Answer|null} */
  let openForm = null;
  /** @type {{quotationId: string, action: Answer}|null} */
  let pending = null;
  let busy = false;

  /** @returns {any} QuotationPublic or null */
  const quotation = () => current.quotation;
  const isOpen = () => current.status === "quoted" && Boolean(quotation());

  function renderState() {
    const q = quotation();
    if (pending && (!q || pending.quotationId !== q.id || current.status !== "quoted")) pending = null;
    const text = stateText(current, pending && pending.action);
    stateLine.textContent = text;
    stateLine.hidden = !text;
    panel.classList.toggle("is-open", isOpen() && !pending);
  }

  function renderActions() {
    clear(actions);
    const q = quotation();
    if (!isOpen() || pending) {
      actions.hidden = true;
      if (openForm) closeForm();
      return;
    }
    if (formFor && q && formFor !== q.id) closeForm();
    actions.hidden = false;
    actions.append(...answerButtons(openForm, toggleForm));
    setBusy(busy);
  }

  /** @param {boolean} value */
  function setBusy(value) {
    busy = value;
    panel.querySelectorAll("button").forEach((b) => {
      b.disabled = value;
    });
    panel.setAttribute("aria-busy", value ? "true" : "false");
  }

  function closeForm() {
    openForm = null;
    formFor = null;
    clear(formSlot);
  }

  /** @param {Answer} which */
  function toggleForm(which) {
    if (openForm === which) {
      closeForm();
    } else {
      clear(formSlot);
      openForm = which;
      formFor = quotation() ? quotation().id : null;
      formSlot.append(formOf(which));
      const first = /** @type {HTMLElement|null} */ (formSlot.querySelector("input, textarea"));
      if (first) first.focus();
    }
    renderActions();
  }

  /** @param {Answer} which */
  function formOf(which) {
    const onCancel = () => toggleForm(which);
    /** @type {(body: object, fields: Record<string, import("./fields.js").Field>) => void} */
    const onSend = (body, fields) => {
      send(which, body, fields);
    };
    if (which === "counter") return counterForm(quotation() || {}, { onSend, onCancel });
    if (which === "decline") return declineForm({ onSend, onCancel });
    const q = quotation();
    const stillWanted = () => openForm === "confirm" && Boolean(quotation()) && quotation().id === q.id;
    return signForm(current.id, q, { stillWanted, onSign: () => send("confirm", undefined), onBack: onCancel,
      onShown: () => setBusy(busy) });
  }

  /**
   * Send an answer.
   * @param {Answer} action
   * @param {object|undefined} body
   * @param {Record<string, import("./fields.js").Field>} [fields]
   */
  async function send(action, body, fields = {}) {
    const q = quotation();
    clear(errorSlot);
    setBusy(true);
    try {
      await api(`/orders/${encodeURIComponent(current.id)}/${action}`, { method: "POST", json: body });
      pending = { quotationId: q ? q.id : "", action };
      closeForm();
      notify(SENT[action], { tone: "success", topic: orderTopic(current.id, "quoted") });
      setBusy(false);
      renderState();
      renderActions();
      onChange();
    } catch (error) {
      setBusy(false);
      errorSlot.append(answerError(error, fields));
      if (/** @type {any} */ (error)?.status === 409) onChange();
    }
  }

  panel.update = (order) => {
    current = order;
    const q = quotation();
    panel.hidden = !q;
    clear(summary).append(...(q ? quotationHeadline(q) : []));
    clear(more).append(...(q ? quotationDetails(q) : []));
    renderState();
    renderActions();
  };
  panel.update(order);
  return panel;
}

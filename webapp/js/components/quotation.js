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
import { money, dateLabel, dateTimeLabel, todayIso } from "../core/format.js";
import { penaltyText } from "../logic/delivery.js";
import { priceLines } from "../logic/lines.js";
import { errorBox } from "../ui/states.js";
import { notify, orderTopic } from "../ui/toast.js";
import { validateCounter, counterBody } from "../logic/order-form.js";
import { field, showErrors } from "./fields.js";
import { paymentTerms, signReview } from "./payment-review.js";

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

/** Words for an answer on its way, until the order's status moves. */
const PENDING = {
  confirm: "Confirmation sent. Waiting for the manufacturer's agent…",
  decline: "Decline sent. Waiting for the manufacturer's agent…",
  counter: "Counter-offer sent. Waiting for the manufacturer's agent…",
};

/**
 * @typedef {HTMLElement & {update: (order: object) => void}} QuotationPanel
 */

/**
 * @param {object} order GET /orders/{id} body
 * @param {{onChange?: () => void}} [options] called after an answer was sent or refused (refetch)
 * @returns {QuotationPanel}
 */
export function quotationPanel(order, { onChange = () => {} } = {}) {
  const headingId = `quotation-${order.id}`;
  const summary = h("div", { class: "quote-summary" });
  const stateLine = h("p", { class: "quote-state", role: "status" });
  const errorSlot = h("div", { class: "quote-error" });
  const actions = h("div", { class: "actions quote-actions" });
  const formSlot = h("div", { class: "quote-form" });
  /** The quotation's facts and breakdown, under the answers (the price stays above them). */
  const more = h("div", { class: "quote-more" });
  const panel = /** @type {QuotationPanel} */ (
    /** @type {unknown} */ (
      h(
        "section",
        { class: "card panel quotation-panel", "aria-labelledby": headingId },
        h("h2", { id: headingId }, "Quotation"),
        summary,
        stateLine,
        errorSlot,
        actions,
        formSlot,
        more,
      )
    )
  );

  let current = order;
  /** @type {string|null} quotation id whose form is open */
  let formFor = null;
  /** @type {"confirm"|"counter"|"decline"|null} */
  let openForm = null;
  /** @type {{quotationId: string, action: "confirm"|"decline"|"counter"}|null} */
  let pending = null;
  let busy = false;

  const quotation = () => /** @type {any} */ (current.quotation);
  const isOpen = () => current.status === "quoted" && Boolean(quotation());

  function renderSummary() {
    const q = quotation();
    clear(summary);
    clear(more);
    if (!q) return;
    const lines = Array.isArray(q.lines) ? q.lines : [];
    summary.append(
      ...[
      h(
        "p",
        { class: "quote-price" },
        h("span", { class: "quote-price-label" }, "Price"),
        h("span", { class: "quote-price-value", dataset: { testid: "quotation-price" } }, money(q.total_price, q.currency)),
      ),
      q.note ? h("p", { class: "quote-note", dataset: { testid: "quotation-note" } }, q.note) : null,
      h(
        "dl",
        { class: "facts" },
        h("div", {}, h("dt", {}, "Delivery by"), h("dd", {}, dateLabel(q.delivery_date))),
        penaltyText(q.penalty, q.currency)
          ? h("div", {}, h("dt", {}, "If late"), h("dd", { dataset: { testid: "quotation-penalty" } }, `${penaltyText(q.penalty, q.currency)} (agreed in your order)`))
          : null,
        q.valid_until ? h("div", {}, h("dt", {}, "Valid until"), h("dd", {}, dateTimeLabel(q.valid_until))) : null,
        q.round ? h("div", {}, h("dt", {}, "Round"), h("dd", {}, String(q.round))) : null,
      ),
      lines.length
        ? h(
            "details",
            { class: "quote-lines" },
            h("summary", {}, `Price breakdown (${lines.length} ${lines.length === 1 ? "line" : "lines"})`),
            h(
              "table",
              { class: "table" },
              h("caption", { class: "visually-hidden" }, "What the quoted price is made of"),
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  h("th", { scope: "col" }, "Item"),
                  h("th", { scope: "col", class: "num" }, "Qty"),
                  h("th", { scope: "col", class: "num" }, "Unit price"),
                  h("th", { scope: "col", class: "num" }, "Price"),
                ),
              ),
              h(
                "tbody",
                {},
                priceLines(lines).map((line) =>
                  h(
                    "tr",
                    { dataset: { testid: "quotation-line" } },
                    h("td", {}, line.item),
                    h("td", { class: "num" }, line.quantity === null ? "—" : String(line.quantity)),
                    h("td", { class: "num" }, line.unitPrice === null ? "—" : money(line.unitPrice, q.currency)),
                    h("td", { class: "num" }, money(line.amount, q.currency)),
                  ),
                ),
              ),
            ),
          )
        : null,
      ].filter(Boolean),
    );
    // the answers follow the price at once (on a phone's first screen); the details come after them
    more.append(...Array.from(summary.children).filter((child) => child.matches(".facts, .quote-lines")));
  }

  function renderState() {
    const q = quotation();
    if (pending && (!q || pending.quotationId !== q.id || current.status !== "quoted")) pending = null;
    let text = "";
    if (pending) text = PENDING[pending.action];
    else if (isOpen()) text = "The manufacturer's agents have priced your order. Confirm it, counter it or decline it.";
    else text = AFTER[/** @type {keyof typeof AFTER} */ (current.status)] || "";
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
    actions.append(
      h(
        "button",
        {
          type: "button",
          class: "button primary",
          "aria-expanded": openForm === "confirm" ? "true" : "false",
          on: { click: () => toggleForm("confirm") },
        },
        "Confirm",
      ),
      h(
        "button",
        {
          type: "button",
          class: "button",
          "aria-expanded": openForm === "counter" ? "true" : "false",
          on: { click: () => toggleForm("counter") },
        },
        "Counter",
      ),
      h(
        "button",
        {
          type: "button",
          class: "button danger",
          "aria-expanded": openForm === "decline" ? "true" : "false",
          on: { click: () => toggleForm("decline") },
        },
        "Decline",
      ),
    );
    setBusy(busy);
  }

  /** @param {boolean} value */
  function setBusy(value) {
    busy = value;
    panel.querySelectorAll("button").forEach((b) => {
      /** @type {HTMLButtonElement} */ (b).disabled = value;
    });
    panel.setAttribute("aria-busy", value ? "true" : "false");
  }

  function closeForm() {
    openForm = null;
    formFor = null;
    clear(formSlot);
  }

  /** @param {"confirm"|"counter"|"decline"} which */
  function toggleForm(which) {
    if (openForm === which) {
      closeForm();
    } else {
      clear(formSlot);
      openForm = which;
      formFor = quotation() ? quotation().id : null;
      formSlot.append(which === "confirm" ? signForm() : which === "counter" ? counterForm() : declineForm());
      const first = /** @type {HTMLElement|null} */ (formSlot.querySelector("input, textarea"));
      if (first) first.focus();
    }
    renderActions();
  }

  /**
   * Send an answer.
   * @param {"confirm"|"decline"|"counter"} action
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
      const words = {
        confirm: "Quotation confirmed.",
        decline: "Quotation declined.",
        counter: "Counter-offer sent.",
      };
      notify(words[action], { tone: "success", topic: orderTopic(current.id, "quoted") });
      setBusy(false);
      renderState();
      renderActions();
      onChange();
    } catch (error) {
      setBusy(false);
      const err = /** @type {any} */ (error);
      if (err && err.status === 422 && err.fieldErrors && Object.keys(fields).length) {
        const rest = showErrors(fields, err.fieldErrors);
        errorSlot.append(errorBox(rest.length ? { ...err, detail: rest.join(" ") } : err));
      } else {
        errorSlot.append(errorBox(error));
      }
      if (err && err.status === 409) onChange();
    }
  }

  /** The review of what confirming binds the customer to; "Confirm and sign" sends the confirmation. */
  function signForm() {
    const slot = h("div", { class: "sign-slot" }, h("p", { class: "muted" }, "Loading the terms…"));
    const q = quotation();
    paymentTerms(current.id).then((terms) => {
      if (openForm !== "confirm" || !quotation() || quotation().id !== q.id) return;
      clear(slot).append(signReview(q, terms, { onSign: () => send("confirm", undefined), onBack: () => toggleForm("confirm") }));
      setBusy(busy);
    });
    return slot;
  }

  function counterForm() {
    const q = quotation() || {};
    const currency = q.currency || "EUR";
    const priceInput = h("input", {
      type: "text",
      name: "price",
      inputmode: "decimal",
      autocomplete: "off",
      placeholder: q.total_price ? String(Number(q.total_price).toFixed(2)) : "",
    });
    const dateInput = h("input", {
      type: "date",
      name: "delivery_date",
      min: todayIso(),
      value: q.delivery_date || "",
    });
    const noteInput = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
    const fields = {
      price: field("Your price", priceInput, { hint: `The total you would pay, in ${currency}.` }),
      delivery_date: field("Delivery date", dateInput, { hint: "Change it only if another date suits you." }),
      note: field("Note (optional)", noteInput),
    };
    const form = h(
      "form",
      {
        class: "form counter-form",
        novalidate: true,
        "aria-label": "Counter-offer",
        on: {
          submit: (/** @type {Event} */ event) => {
            event.preventDefault();
            const values = {
              price: /** @type {HTMLInputElement} */ (priceInput).value,
              deliveryDate: /** @type {HTMLInputElement} */ (dateInput).value,
              note: /** @type {HTMLTextAreaElement} */ (noteInput).value,
            };
            const errors = validateCounter({ ...values, today: todayIso() });
            if (Object.keys(errors).length) {
              showErrors(fields, errors);
              return;
            }
            showErrors(fields, {});
            send("counter", counterBody(values), fields);
          },
        },
      },
      h("h3", {}, "Make a counter-offer"),
      fields.price.wrap,
      fields.delivery_date.wrap,
      fields.note.wrap,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "button primary" }, "Send counter-offer"),
        h("button", { type: "button", class: "button", on: { click: () => toggleForm("counter") } }, "Cancel"),
      ),
    );
    return form;
  }

  function declineForm() {
    const reasonInput = h("textarea", { name: "reason", rows: "3", maxlength: "2000" });
    const fields = { reason: field("Reason (optional)", reasonInput, { hint: "The manufacturer sees it." }) };
    return h(
      "form",
      {
        class: "form decline-form",
        novalidate: true,
        "aria-label": "Decline the quotation",
        on: {
          submit: (/** @type {Event} */ event) => {
            event.preventDefault();
            const reason = /** @type {HTMLTextAreaElement} */ (reasonInput).value.trim();
            send("decline", { reason }, fields);
          },
        },
      },
      h("h3", {}, "Decline the quotation?"),
      h("p", {}, "The order stops here. This cannot be undone."),
      fields.reason.wrap,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit", class: "button danger" }, "Decline quotation"),
        h("button", { type: "button", class: "button", on: { click: () => toggleForm("decline") } }, "Keep it"),
      ),
    );
  }

  panel.update = (order) => {
    current = order;
    panel.hidden = !quotation();
    renderSummary();
    renderState();
    renderActions();
  };
  panel.update(order);
  return panel;
}

/**
 * The words of a quotation toast: "Quotation received: €1,089.94".
 * @param {string|number} price
 * @param {string} currency
 */
export function quotationToastText(price, currency) {
  return `Quotation received: ${money(price, currency)}`;
}

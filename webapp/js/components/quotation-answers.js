/**
 * The customer's written answers to a quotation: the counter-offer form ("Your price", "Delivery date", a note)
 * and the decline form (an optional reason). Each checks what it can and hands a request body to `onSend`,
 * with its fields so the API's field errors can be shown next to them.
 * @module components/quotation-answers
 */

import { h } from "../core/dom.js";
import { todayIso } from "../core/format.js";
import { validateCounter, counterBody } from "../logic/order-form.js";
import { field, showErrors } from "./fields.js";

/** @typedef {Record<string, import("./fields.js").Field>} Fields */

/**
 * @param {string} label
 * @param {string} buttonClass
 * @param {() => void} onCancel
 * @param {string} cancelLabel
 */
function formButtons(label, buttonClass, onCancel, cancelLabel) {
  return h(
    "div",
    { class: "actions" },
    h("button", { type: "submit", class: ["button", buttonClass] }, label),
    h("button", { type: "button", class: "button", on: { click: onCancel } }, cancelLabel),
  );
}

/**
 * @param {any} quotation QuotationPublic (or {} when there is none)
 * @param {{onSend: (body: object, fields: Fields) => void, onCancel: () => void}} actions
 * @returns {HTMLElement}
 */
export function counterForm(quotation, { onSend, onCancel }) {
  const currency = quotation.currency || "EUR";
  const priceInput = h("input", {
    type: "text",
    name: "price",
    inputmode: "decimal",
    autocomplete: "off",
    placeholder: quotation.total_price ? String(Number(quotation.total_price).toFixed(2)) : "",
  });
  const dateInput = h("input", { type: "date", name: "delivery_date", min: todayIso(), value: quotation.delivery_date || "" });
  const noteInput = h("textarea", { name: "note", rows: "3", maxlength: "2000" });
  const fields = {
    price: field("Your price", priceInput, { hint: `The total you would pay, in ${currency}.` }),
    delivery_date: field("Delivery date", dateInput, { hint: "Change it only if another date suits you." }),
    note: field("Note (optional)", noteInput),
  };
  /** @param {Event} event */
  const submit = (event) => {
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
    onSend(counterBody(values), fields);
  };
  return h(
    "form",
    { class: "form counter-form", novalidate: true, "aria-label": "Counter-offer", on: { submit } },
    h("h3", {}, "Make a counter-offer"),
    fields.price.wrap,
    fields.delivery_date.wrap,
    fields.note.wrap,
    formButtons("Send counter-offer", "primary", onCancel, "Cancel"),
  );
}

/**
 * @param {{onSend: (body: {reason: string}, fields: Fields) => void, onCancel: () => void}} actions
 * @returns {HTMLElement}
 */
export function declineForm({ onSend, onCancel }) {
  const reasonInput = h("textarea", { name: "reason", rows: "3", maxlength: "2000" });
  const fields = { reason: field("Reason (optional)", reasonInput, { hint: "The manufacturer sees it." }) };
  /** @param {Event} event */
  const submit = (event) => {
    event.preventDefault();
    onSend({ reason: /** @type {HTMLTextAreaElement} */ (reasonInput).value.trim() }, fields);
  };
  return h(
    "form",
    { class: "form decline-form", novalidate: true, "aria-label": "Decline the quotation", on: { submit } },
    h("h3", {}, "Decline the quotation?"),
    h("p", {}, "The order stops here. This cannot be undone."),
    fields.reason.wrap,
    formButtons("Decline quotation", "danger", onCancel, "Keep it"),
  );
}

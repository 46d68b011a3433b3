/**
 * Labelled form fields with an error message next to them (used by the customer's forms).
 *
 *   const price = field("Your price", h("input", { type: "text", name: "price" }), { hint: "In EUR" });
 *   form.append(price.wrap);
 *   price.setError("Enter an amount.");   // shown under the field, aria-invalid + aria-describedby set
 *   showErrors({ price, delivery_date: date }, apiError.fieldErrors) // -> messages no field took
 *
 * @module components/fields
 */

import { h } from "../core/dom.js";

let next = 0;

/**
 * A unique id for label/description wiring.
 * @param {string} prefix
 */
export function uid(prefix) {
  next += 1;
  return `${prefix}-${next}`;
}

/**
 * @typedef {{wrap: HTMLElement, input: HTMLElement, setError: (message?: string) => void}} Field
 */

/**
 * A field: label, control, optional hint, and an error slot.
 * @param {string} label text of the <label>
 * @param {HTMLElement} input an input, select or textarea (gets an id if it has none)
 * @param {{hint?: string, className?: string}} [options]
 * @returns {Field}
 */
export function field(label, input, { hint = "", className = "" } = {}) {
  if (!input.id) input.id = uid("f");
  const hintId = `${input.id}-hint`;
  const errorId = `${input.id}-error`;
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  const wrap = h(
    "div",
    { class: ["field", className] },
    h("label", { for: input.id }, label),
    hint ? h("p", { class: "help", id: hintId }, hint) : null,
    input,
    error,
  );
  /** @param {string[]} ids */
  const describe = (ids) => {
    const value = ids.filter(Boolean).join(" ");
    if (value) input.setAttribute("aria-describedby", value);
    else input.removeAttribute("aria-describedby");
  };
  describe([hint ? hintId : ""]);
  return {
    wrap,
    input,
    setError(message = "") {
      error.textContent = message;
      error.hidden = !message;
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      describe([hint ? hintId : "", message ? errorId : ""]);
      wrap.classList.toggle("has-error", Boolean(message));
    },
  };
}

/**
 * Show field errors next to their fields and clear the others.
 * @param {Record<string, Field>} fields by API field name
 * @param {Record<string, string>} errors by API field name (nested names match on their first part)
 * @returns {string[]} the messages no field could show
 */
export function showErrors(fields, errors) {
  /** @type {Record<string, string>} */
  const byField = {};
  /** @type {string[]} */
  const rest = [];
  for (const [name, message] of Object.entries(errors || {})) {
    const key = name in fields ? name : name.split(".")[0];
    if (key in fields && !(key in byField)) byField[key] = message;
    else rest.push(message);
  }
  for (const [name, f] of Object.entries(fields)) f.setError(byField[name] || "");
  const first = Object.keys(fields).find((name) => byField[name]);
  if (first) fields[first].input.focus();
  return rest;
}

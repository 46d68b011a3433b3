/**
 * Standard loading, empty and error blocks.
 * @module ui/states
 */

import { h } from "../core/dom.js";
import { humanMessage } from "../core/errors.js";

/**
 * A loading indicator (role="status").
 * @param {string} [text]
 * @returns {HTMLElement}
 */
export function loading(text = "Loading…") {
  return h("div", { class: "state state-loading", role: "status" },
    h("span", { class: "spinner", "aria-hidden": "true" }), h("span", {}, text));
}

/**
 * An empty state with an optional link.
 * @param {string} text
 * @param {{label: string, href: string}} [action]
 * @returns {HTMLElement}
 */
export function empty(text, action) {
  return h("div", { class: "state state-empty" },
    h("p", {}, text),
    action ? h("a", { class: "button", href: action.href }, action.label) : null);
}

/**
 * An error block (role="alert") with a "Try again" button when retry is given.
 * @param {unknown} error
 * @param {() => void} [retry]
 * @returns {HTMLElement}
 */
export function errorBox(error, retry) {
  return h("div", { class: "state state-error", role: "alert" },
    h("p", {}, humanMessage(/** @type {any} */ (error))),
    retry ? h("button", { type: "button", class: "button secondary", on: { click: () => retry() } }, "Try again")
      : null);
}

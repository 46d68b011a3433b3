/**
 * Short messages in the #toasts live region.
 * @module ui/toast
 */

import { h } from "../core/dom.js";

const LIFETIME_MS = { info: 6000, success: 6000, error: 10000 };
/** Older toasts give way so that the stack never covers much of a phone screen. */
const MAX_VISIBLE = 3;

/**
 * Show a toast.
 * @param {string} text
 * @param {{tone?: "info" | "success" | "error", action?: {label: string, onClick: () => void}}} [options]
 * @returns {() => void} dismiss
 */
export function notify(text, { tone = "info", action } = {}) {
  const area = document.getElementById("toasts");
  if (!area) return () => {};
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  const dismiss = () => {
    if (timer) clearTimeout(timer);
    toast.remove();
  };
  const toast = h("div", { class: ["toast", `toast-${tone}`] },
    h("p", { class: "toast-text" }, text),
    action ? h("button", {
      type: "button",
      class: "button small",
      on: { click: () => { dismiss(); action.onClick(); } },
    }, action.label) : null,
    h("button", { type: "button", class: "toast-close", "aria-label": "Dismiss message", on: { click: dismiss } }, "×"));
  area.appendChild(toast);
  while (area.children.length > MAX_VISIBLE) area.firstElementChild?.remove();
  const pause = () => { if (timer) clearTimeout(timer); timer = null; };
  const schedule = () => {
    pause();
    timer = setTimeout(dismiss, LIFETIME_MS[tone] || 6000);
  };
  // Pause only while the pointer really moves over the toast or focus is inside it: a toast that appears
  // under a resting pointer gets no mouseleave, and must not stay forever.
  toast.addEventListener("mousemove", pause);
  toast.addEventListener("mouseleave", schedule);
  toast.addEventListener("focusin", pause);
  toast.addEventListener("focusout", schedule);
  schedule();
  return dismiss;
}

/**
 * Short messages in the #toasts live region, one at a time (a newer one replaces the older), at the bottom of
 * the screen where the page's padding keeps them off the actions. A toast about an order's status carries a
 * topic (`orderTopic`) and goes as soon as the order leaves that status (`dismissStaleOrderToasts`).
 * @module ui/toast
 */

import { h } from "../core/dom.js";

const LIFETIME_MS = { info: 6000, success: 6000, error: 10000 };
/** Older toasts give way: one toast at a time never covers much of a phone screen. */
const MAX_VISIBLE = 1;

/**
 * Show a toast.
 * @param {string} text
 * @param {{tone?: "info" | "success" | "error", action?: {label: string, onClick: () => void}, topic?: string}} [options]
 *   topic: what the toast is about (`orderTopic`), for `dismissStaleOrderToasts`
 * @returns {() => void} dismiss
 */
export function notify(text, { tone = "info", action, topic } = {}) {
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
  if (topic) toast.dataset.topic = topic;
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

/**
 * The topic of a toast that is true while the order has this status.
 * @param {string} orderId
 * @param {string} status
 */
export function orderTopic(orderId, status) {
  return `order:${orderId}:${status}`;
}

/**
 * Dismiss the toasts about the order that speak of another status than its current one.
 * @param {string} orderId
 * @param {string} status the order's status now
 */
export function dismissStaleOrderToasts(orderId, status) {
  const area = document.getElementById("toasts");
  if (!area) return;
  const prefix = orderTopic(orderId, "");
  for (const toast of Array.from(area.children)) {
    const topic = /** @type {HTMLElement} */ (toast).dataset.topic || "";
    if (topic.startsWith(prefix) && topic !== orderTopic(orderId, status)) toast.remove();
  }
}

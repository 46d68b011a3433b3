/**
 * The manufacturer's order page: "What you can do" and its state — the forms drawn again only when the order's
 * stage changed (so typing survives refreshes), one action at a time, errors in words next to what caused them.
 * @module views/manufacturer/order/action-area
 */

import { h, clear } from "../../../core/dom.js";
import { api } from "../../../core/api.js";
import { humanMessage } from "../../../core/errors.js";
import { notify, orderTopic } from "../../../ui/toast.js";
import { showErrors } from "../../../components/fields.js";
import { orderActions } from "./actions.js";

/** Actions after which the order keeps its status (the form shows again). */
const SAME_STATUS = new Set(["production", "parts-confirmation"]);

/**
 * @typedef {object} ActionArea
 * @property {HTMLElement} element
 * @property {(stage: string) => boolean} isNew whether the actions shown are not yet those of this stage
 * @property {(order: any, policy: any, stage: string, keepActions: boolean) => void} show draw the actions of
 *   a new stage (keepActions: after a refused action, keeping its error notice)
 */

/**
 * An action's error in words; a 409 says the page now shows the order as it is.
 * @param {any} error
 * @param {string[]} rest field errors no field showed
 */
function actionErrorText(error, rest) {
  const said = humanMessage(error);
  if (error.status !== 409) return [said, ...rest].join(" ");
  return `${said}${/[.!?]$/.test(said) ? "" : "."} The page now shows the order's current state.`;
}

/**
 * @param {string} orderId
 * @param {{currentOrder: () => any, refresh: (options?: {keepActions?: boolean}) => Promise<void>}} page
 * @returns {ActionArea}
 */
export function actionArea(orderId, { currentOrder, refresh }) {
  const element = h("div", { class: "order-actions", "aria-live": "polite" });
  /** @type {import("./actions.js").Drafts} */
  const drafts = { reason: "", carrier: "", reference: "", progress: "" };
  let shownStage = "";
  let busy = false;
  /** @type {any} */
  let policy = null;

  /** @param {boolean} disabled */
  function disableButtons(disabled) {
    for (const b of element.querySelectorAll("button")) b.disabled = disabled;
  }

  /** @type {import("./actions.js").Act} */
  async function act(path, body, done, fields, errorSlot) {
    if (busy) return;
    busy = true;
    disableButtons(true);
    if (errorSlot) clear(errorSlot);
    try {
      await api(`/orders/${encodeURIComponent(orderId)}/${path}`, { method: "POST", json: body });
      const order = currentOrder();
      notify(done, { tone: "success", topic: orderTopic(orderId, order ? order.status : "") });
      busy = false;
      if (SAME_STATUS.has(path)) shownStage = "";
      else element.append(h("p", { class: "muted" }, "Sent to your agent. Waiting for it to act…"));
      await refresh();
    } catch (err) {
      busy = false;
      const e = /** @type {any} */ (err);
      const rest = fields && e.status === 422 ? showErrors(fields, e.fieldErrors) : [];
      const box = h("p", { class: "form-error", role: "alert" }, actionErrorText(e, rest));
      if (errorSlot) errorSlot.append(box);
      else element.prepend(box);
      disableButtons(false);
      if (e.status === 409) await refresh({ keepActions: true });
    }
  }

  /** @param {any} order */
  function render(order) {
    clear(element).append(...orderActions({ order, policy, drafts, act }));
  }

  return {
    element,
    isNew: (stage) => stage !== shownStage,
    show(order, known, stage, keepActions) {
      policy = known;
      if (!busy && !keepActions && stage !== shownStage) render(order);
      if (!keepActions) {
        shownStage = stage;
      } else if (stage !== shownStage) {
        shownStage = stage;
        const notice = element.querySelector(".form-error");
        render(order);
        if (notice) element.prepend(notice);
      }
    },
  };
}

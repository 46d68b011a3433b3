/**
 * The customer's order page: the sections folded under their headings (open them to read them), and the two
 * that appear only once there is something to show: the supply network and the negotiation transcript.
 * @module views/customer/order/folds
 */

import { h, clear } from "../../../core/dom.js";
import { api } from "../../../core/api.js";
import { onNegotiationMessage, onReconnect } from "../../../core/push.js";
import { empty, errorBox } from "../../../ui/states.js";
import { orderName } from "../../../logic/timeline.js";
import { supplyNetworkPicture } from "../../../components/network.js";
import { transcriptView, liveTranscript } from "../../../components/transcript.js";

/** Statuses after which a transcript of negotiations can exist. */
const BEFORE_NEGOTIATION = new Set(["received", "accepted", "rejected"]);

/** @typedef {HTMLDetailsElement & {update: (order: any) => void}} LiveFold */

/**
 * A section folded under its heading: what is not the current step.
 * @param {string} headingId
 * @param {string} title
 * @param {...any} content
 * @returns {HTMLDetailsElement}
 */
export function folded(headingId, title, ...content) {
  return /** @type {HTMLDetailsElement} */ (h(
    "details",
    { class: "card panel fold", "aria-labelledby": headingId },
    h("summary", {}, h("h2", { id: headingId }, title)),
    h("div", { class: "fold-body" }, ...content),
  ));
}

/**
 * A folded section with a class of its own, hidden until it has something to show.
 * @param {string} className
 * @param {string} headingId
 * @param {string} title
 * @param {string} intro
 * @param {HTMLElement} body
 * @returns {LiveFold}
 */
function liveFold(className, headingId, title, intro, body) {
  const section = /** @type {LiveFold} */ (folded(headingId, title, h("p", { class: "muted" }, intro), body));
  section.classList.add(className);
  section.hidden = true;
  return section;
}

/**
 * The supply network of the order; drawn again only when the network changed.
 * @param {string} orderId
 * @returns {LiveFold}
 */
export function networkFold(orderId) {
  const body = h("div", { class: "network-body" });
  const section = liveFold("network-panel", `network-${orderId}`, "Supply network",
    "The parts of your product that are made elsewhere, and when they are expected.", body);
  let drawn = "";
  section.update = (order) => {
    const network = order.supply_network;
    const key = network ? JSON.stringify(network) : "";
    if (key === drawn) return;
    drawn = key;
    if (!network) {
      section.hidden = true;
      return;
    }
    try {
      clear(body).append(supplyNetworkPicture(network, { title: `Supply network of ${orderName(order).toLowerCase()}` }));
      section.hidden = false;
    } catch (error) {
      console.warn("supply network picture failed", error);
      section.hidden = true;
    }
  };
  return section;
}

/**
 * The messages the agents exchanged about the order: fetched once negotiations may have begun, then kept
 * current by negotiation-message events until `signal` aborts.
 * @param {string} orderId
 * @param {AbortSignal} signal
 * @returns {LiveFold}
 */
export function transcriptFold(orderId, signal) {
  const body = h("div", { class: "transcript-body" });
  const section = liveFold("transcript-panel", `transcript-${orderId}`, "Negotiation transcript",
    "The messages the agents exchanged about your order.", body);
  const path = `/orders/${encodeURIComponent(orderId)}/negotiation`;
  /** @type {import("../../../components/transcript.js").LiveTranscript | null} */
  let live = null;
  section.update = (order) => {
    if (BEFORE_NEGOTIATION.has(order.status) || live || signal.aborted) return;
    const transcript = liveTranscript({
      orderId,
      fetch: (after) => api(after === null ? path : `${path}?after=${after}`, { signal }),
      onMessage: onNegotiationMessage,
      onReconnect,
      onChange: (held) => {
        clear(body).append(held.conversations.length ? transcriptView(held, { audience: "customer" }) : empty("No messages yet."));
        section.hidden = false;
      },
      onError: (error) => {
        if (signal.aborted) return;
        clear(body).append(errorBox(error, () => transcript.reload()));
        section.hidden = false;
      },
    });
    live = transcript;
    signal.addEventListener("abort", () => transcript.stop());
  };
  return section;
}

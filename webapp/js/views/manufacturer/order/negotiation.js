/**
 * The manufacturer's order page: the negotiation — the offers per supplier and round, the supply network forming
 * and the agents' transcript. The transcript is fetched once, then kept current by negotiation-message events;
 * a burst of messages draws the panel once.
 * @module views/manufacturer/order/negotiation
 */

import { h, clear } from "../../../core/dom.js";
import { api } from "../../../core/api.js";
import { coalesced } from "../../../core/coalesce.js";
import { onNegotiationMessage, onReconnect } from "../../../core/push.js";
import { errorBox } from "../../../ui/states.js";
import { orderName } from "../../../logic/timeline.js";
import { groupOffers, offerCount, supplierDirectory, supplierWords } from "../../../logic/offers.js";
import { supplyNetworkPicture } from "../../../components/network.js";
import { transcriptView, liveTranscript } from "../../../components/transcript.js";
import { offersTable } from "../../../components/negotiation.js";

/** Statuses in which the agents negotiate. */
export const LIVE = new Set(["sourcing", "negotiating"]);
const DRAW_MS = 150;
/** Statuses after which the negotiation is worth showing. */
const NEGOTIATED = new Set(["sourcing", "negotiating", "quoted", "countered", "confirmed", "declined", "contracting",
  "contracted", "in_production", "produced", "invoiced", "paid", "shipped", "delivered", "completed", "failed"]);

/**
 * @typedef {object} NegotiationPanel
 * @property {(order: any) => Promise<void>} show draw the negotiation of the order as it is now
 * @property {() => void} stop stop listening
 */

/**
 * What the negotiation panel shows of a transcript.
 * @param {any} order
 * @param {any} transcript
 * @param {boolean} transcriptOpen the transcript's fold was open
 */
function negotiationContent(order, transcript, transcriptOpen) {
  const grouped = groupOffers(transcript);
  const directory = supplierDirectory(transcript);
  const count = offerCount(grouped);
  const offers = `${count} offer${count === 1 ? "" : "s"}`;
  return [
    h("p", { class: "muted" }, LIVE.has(order.status) ? `Live: ${offers} so far, updated as they arrive.` : `${offers} in total.`),
    offersTable(grouped, directory),
    h("h3", {}, "Supply network"),
    supplyNetworkPicture(order.supply_network, {
      offers: grouped,
      title: orderName(order).toLowerCase(),
      supplierName: (supplierId) => supplierWords(supplierId, directory),
    }),
    h("details", { class: "conversations-wrap", open: transcriptOpen },
      h("summary", {}, "Negotiation transcript"),
      transcriptView(transcript, { audience: "manufacturer", suppliers: directory })),
  ];
}

/**
 * @param {string} orderId
 * @param {HTMLElement} box where the negotiation is drawn
 * @param {AbortSignal} signal aborts the fetches
 * @param {() => any} currentOrder the order as the page holds it now
 * @returns {NegotiationPanel}
 */
export function negotiationPanel(orderId, box, signal, currentOrder) {
  let stopped = false;
  /** @type {import("../../../components/transcript.js").LiveTranscript | null} */
  let negotiation = null;
  /** @type {Promise<void> | null} */
  let run = null;

  const draw = coalesced(async () => {
    await new Promise((resolve) => setTimeout(resolve, DRAW_MS));
    if (!stopped) await show(currentOrder());
  }, () => stopped);

  function live() {
    if (!negotiation) {
      const path = `/orders/${encodeURIComponent(orderId)}/negotiation`;
      negotiation = liveTranscript({
        orderId,
        fetch: (after) => api(after === null ? path : `${path}?after=${after}`, { signal }),
        onMessage: onNegotiationMessage,
        onReconnect,
        onChange: () => {
          draw();
        },
        onError: (err) => {
          if (/** @type {any} */ (err).name !== "AbortError") {
            clear(box).append(errorBox(err, () => negotiation && negotiation.reload()));
          }
        },
      });
    }
    return negotiation;
  }

  /** @param {any} order */
  async function show(order) {
    if (!order || !NEGOTIATED.has(order.status)) {
      clear(box).append(h("p", { class: "muted" },
        "The negotiation starts when sourcing starts. Offers and the supply network appear here live."));
      return;
    }
    if (run) return run;
    run = (async () => {
      try {
        const held = live();
        await held.ready;
        const transcript = held.current();
        if (!transcript || stopped) return; // not fetched: its error box says why
        const open = box.querySelector("details.conversations-wrap");
        const wasOpen = open ? /** @type {HTMLDetailsElement} */ (open).open : false;
        clear(box).append(...negotiationContent(currentOrder(), transcript, wasOpen));
      } catch (err) {
        if (/** @type {any} */ (err).name === "AbortError") return;
        clear(box).append(errorBox(err, () => show(currentOrder())));
      } finally {
        run = null;
      }
    })();
    return run;
  }

  return {
    show,
    stop() {
      stopped = true;
      if (negotiation) negotiation.stop();
    },
  };
}

/**
 * Live offers per supplier, round by round (newest first), as one table with a row group per part; on a
 * narrow screen the table scrolls sideways and says so.
 * @module components/negotiation
 */

import { h } from "../core/dom.js";
import { dateLabel, money } from "../core/format.js";
import { supplierWords } from "../logic/offers.js";

/** @type {Readonly<Record<string, string>>} */
const OUTCOME_WORDS = Object.freeze({ accepted: "accepted", rejected: "not chosen", open: "open" });

/**
 * The offers table.
 * @param {{parts: Array<{part_id: string, rounds: number, suppliers: Array<{supplier: string,
 *   offers: Array<{round: number, price: string, currency: string, delivery_date: string, outcome: string}>}>}>}} grouped
 *   the result of groupOffers()
 * @param {Record<string, import("../logic/offers.js").SupplierProfile>} [directory] supplierDirectory() of the
 *   transcript: suppliers are named with their country and rating (else by their id)
 * @returns {HTMLElement}
 */
export function offersTable(grouped, directory = {}) {
  const parts = grouped && Array.isArray(grouped.parts) ? grouped.parts : [];
  const rounds = Math.max(1, ...parts.map((p) => p.rounds || 1));
  const withOffers = parts.filter((p) => p.suppliers.length);
  // the newest round (where the accepted offers are) first, next to the supplier
  const roundNumbers = Array.from({ length: rounds }, (_, i) => rounds - i);
  const table = h("table", { class: "offers-table" },
    h("caption", {}, "Offers by supplier and round"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Supplier"),
      roundNumbers.map((r) => h("th", { scope: "col" }, `Round ${r}`)))),
    withOffers.length
      ? withOffers.map((part) => h("tbody", {},
        h("tr", { class: "part-row" },
          h("th", { scope: "colgroup", colspan: rounds + 1 }, `Part ${part.part_id}`)),
        part.suppliers.map((s) => h("tr", {},
          h("th", { scope: "row" }, supplierWords(s.supplier, directory)),
          roundNumbers.map((r) => {
            const offer = s.offers.find((o) => o.round === r);
            const later = s.offers.some((o) => o.round > r);
            if (!offer) return h("td", { class: "no-offer" }, h("span", { class: "visually-hidden" }, "no offer"), "—");
            return h("td", { class: `offer offer-${offer.outcome}` },
              h("span", { class: "offer-price" }, money(offer.price, offer.currency)),
              h("span", { class: "offer-date" }, dateLabel(offer.delivery_date)),
              h("span", { class: "offer-outcome" }, offer.outcome === "open" && later ? "revised"
                : OUTCOME_WORDS[offer.outcome] || offer.outcome));
          })))))
      : h("tbody", {}, h("tr", {}, h("td", { colspan: rounds + 1 }, "No offers yet."))));
  return h("div", { class: "offers" },
    rounds > 1 ? h("p", { class: "scroll-hint" }, "Newest round first; swipe the table sideways for earlier rounds →")
      : null,
    h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Offers by supplier and round" },
      table));
}

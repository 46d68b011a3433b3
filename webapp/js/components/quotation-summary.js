/**
 * What a quotation says: its price and note (shown above the answers, on a phone's first screen), then its facts
 * and price breakdown (under them). Pure builders: the quotation panel places them.
 * @module components/quotation-summary
 */

import { h } from "../core/dom.js";
import { money, dateLabel, dateTimeLabel } from "../core/format.js";
import { penaltyText } from "../logic/delivery.js";
import { priceLines } from "../logic/lines.js";

/**
 * The price (data-testid="quotation-price") and the manufacturer's note.
 * @param {any} quotation QuotationPublic
 * @returns {HTMLElement[]}
 */
export function quotationHeadline(quotation) {
  const price = h(
    "p",
    { class: "quote-price" },
    h("span", { class: "quote-price-label" }, "Price"),
    h(
      "span",
      { class: "quote-price-value", dataset: { testid: "quotation-price" } },
      money(quotation.total_price, quotation.currency),
    ),
  );
  if (!quotation.note) return [price];
  return [price, h("p", { class: "quote-note", dataset: { testid: "quotation-note" } }, quotation.note)];
}

/**
 * The delivery date, the late-delivery penalty, how long the quotation holds and whether it was revised; then
 * the breakdown.
 * @param {any} quotation QuotationPublic
 * @returns {HTMLElement[]}
 */
export function quotationDetails(quotation) {
  const penalty = penaltyText(quotation.penalty, quotation.currency);
  const facts = h(
    "dl",
    { class: "facts" },
    fact("Delivery by", dateLabel(quotation.delivery_date)),
    penalty ? fact("If late", `${penalty} (agreed in your order)`, "quotation-penalty") : null,
    quotation.valid_until ? fact("Valid until", dateTimeLabel(quotation.valid_until)) : null,
    quotation.round > 1 ? fact("Version", `revised (version ${quotation.round})`) : null,
  );
  const lines = Array.isArray(quotation.lines) ? quotation.lines : [];
  return lines.length ? [facts, breakdown(lines, quotation.currency)] : [facts];
}

/**
 * @param {string} term
 * @param {string} value
 * @param {string} [testid] of the value
 */
function fact(term, value, testid) {
  return h("div", {}, h("dt", {}, term), h("dd", testid ? { dataset: { testid } } : {}, value));
}

/**
 * The lines the price is made of, folded.
 * @param {any[]} lines QuotationPublic.lines
 * @param {string} currency
 */
function breakdown(lines, currency) {
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, "Item"),
    h("th", { scope: "col", class: "num" }, "Qty"),
    h("th", { scope: "col", class: "num" }, "Unit price"),
    h("th", { scope: "col", class: "num" }, "Price"),
  );
  const rows = priceLines(lines).map((line) =>
    h(
      "tr",
      { dataset: { testid: "quotation-line" } },
      h("td", {}, line.item),
      h("td", { class: "num" }, line.quantity === null ? "—" : String(line.quantity)),
      h("td", { class: "num" }, line.unitPrice === null ? "—" : money(line.unitPrice, currency)),
      h("td", { class: "num" }, money(line.amount, currency)),
    ),
  );
  return h(
    "details",
    { class: "quote-lines" },
    h("summary", {}, `Price breakdown (${lines.length} ${lines.length === 1 ? "line" : "lines"})`),
    h(
      "table",
      { class: "table" },
      h("caption", { class: "visually-hidden" }, "What the quoted price is made of"),
      h("thead", {}, head),
      h("tbody", {}, rows),
    ),
  );
}

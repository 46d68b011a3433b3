/**
 * Review steps before the customer binds itself: what a confirmed quotation commits to ("Confirm and sign"),
 * and what to transfer where before saying "I have transferred …".
 *
 *   const terms = await paymentTerms(order.id);           // GET /orders/{id}/payment, null if unreadable
 *   slot.append(signReview(quotation, terms, { onSign, onBack }));
 *   slot.append(transferReview(invoice, terms, { onTransferred, onBack }));
 *
 * @module components/payment-review
 */

import { h } from "../core/dom.js";
import { api } from "../core/api.js";
import { money, dateLabel } from "../core/format.js";
import { penaltyText } from "../logic/delivery.js";
import { groupsOfFour, transferredLabel } from "../logic/payment.js";

/**
 * How the order is paid (GET /orders/{id}/payment); null when it cannot be read now.
 * @param {string} orderId
 * @returns {Promise<any>}
 */
export async function paymentTerms(orderId) {
  try {
    return await api(`/orders/${encodeURIComponent(orderId)}/payment`);
  } catch {
    return null;
  }
}

/**
 * @param {string} term
 * @param {any} value
 * @param {Record<string, any>} [attrs] of the value
 */
function fact(term, value, attrs = {}) {
  return h("div", {}, h("dt", {}, term), h("dd", attrs, value));
}

/**
 * The payment method in a sentence.
 * @param {any} terms PaymentTerms or null
 */
function methodText(terms) {
  const account = terms && terms.bank_account;
  const to = account ? ` to ${account.account_holder}` : "";
  const when = terms && terms.confirmed_by_hand ? "; the manufacturer confirms when the money arrives" : "";
  return `Bank transfer${to}, after the invoice${when}`;
}

/**
 * What confirming the quotation binds the customer to, and "Confirm and sign".
 * @param {any} quotation
 * @param {any} terms PaymentTerms or null
 * @param {{onSign: () => void, onBack: () => void}} actions
 */
export function signReview(quotation, terms, { onSign, onBack }) {
  const penalty = penaltyText(quotation.penalty, quotation.currency);
  return h(
    "section",
    { class: "review sign-review", "aria-labelledby": `sign-${quotation.id}` },
    h("h3", { id: `sign-${quotation.id}` }, "Review before you sign"),
    h("p", {}, "Confirming signs a binding order in your name. You agree to:"),
    h(
      "dl",
      { class: "facts review-facts" },
      fact("Total price", money(quotation.total_price, quotation.currency), { dataset: { testid: "review-total" } }),
      fact("Delivery by", dateLabel(quotation.delivery_date)),
      fact("If late", penalty ? `${penalty} to you` : "No compensation is agreed for a late delivery"),
      fact("Payment", methodText(terms)),
    ),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "button primary", on: { click: onSign } }, "Confirm and sign"),
      h("button", { type: "button", class: "button", on: { click: onBack } }, "Back"),
    ),
  );
}

/**
 * What to transfer where, with which reference, and "I have transferred …".
 * @param {any} invoice the open invoice (InvoicePublic)
 * @param {any} terms PaymentTerms or null
 * @param {{onTransferred: (reference: string) => void, onBack: () => void}} actions
 */
export function transferReview(invoice, terms, { onTransferred, onBack }) {
  const account = terms && terms.bank_account;
  const amount = money(invoice.total, invoice.currency);
  const lines = Array.isArray(invoice.lines) ? invoice.lines : [];
  const reference = terms ? terms.reference : "";
  return h(
    "section",
    { class: "review transfer-review", "aria-labelledby": `transfer-${invoice.id}` },
    h("h3", { id: `transfer-${invoice.id}` }, "Review your payment"),
    lines.length
      ? h(
          "ul",
          { class: "review-lines" },
          lines.map((/** @type {any} */ line) =>
            h(
              "li",
              {},
              h("span", {}, `${line.quantity ?? 1} × ${line.description || "Item"}`),
              h("span", { class: "num" }, money(Number(line.unit_price) * Number(line.quantity ?? 1), invoice.currency)),
            ),
          ),
        )
      : null,
    h(
      "dl",
      { class: "facts review-facts" },
      fact("Amount", amount, { dataset: { testid: "transfer-amount" } }),
      fact("Due by", dateLabel(invoice.due_date)),
      account ? fact("Account holder", account.account_holder) : null,
      account ? fact("IBAN", groupsOfFour(account.iban), { class: "mono", dataset: { testid: "transfer-iban" } }) : null,
      account && account.bic ? fact("BIC", account.bic, { class: "mono" }) : null,
      reference
        ? fact("Reference", groupsOfFour(reference), { class: "mono reference", dataset: { testid: "transfer-reference" } })
        : null,
    ),
    account
      ? h("p", { class: "muted" }, "Give the reference exactly so the manufacturer can match your transfer.")
      : h("p", { class: "notice" }, "The manufacturer has not given its bank account here yet. Ask it for the account, "
        + "and give the reference with your transfer."),
    terms && terms.confirmed_by_hand
      ? h("p", { class: "muted" }, "Your order is paid once the manufacturer confirms the money arrived.")
      : null,
    reference
      ? null
      : h("p", { class: "form-error", role: "alert" }, "The payment details could not be loaded. Try again in a moment."),
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        { type: "button", class: "button primary", disabled: !reference, on: { click: () => onTransferred(reference) } },
        transferredLabel(amount),
      ),
      h("button", { type: "button", class: "button", on: { click: onBack } }, "Not now"),
    ),
  );
}

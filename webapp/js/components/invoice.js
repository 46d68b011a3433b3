/**
 * The invoices of an order and the "Pay now" button of the open one.
 *
 *   const panel = invoicePanel(order, { onChange: () => refetch() });
 *   root.append(panel);        // hidden while the order has no invoice
 *   panel.update(order);       // after every refetch
 *
 * "Pay now" shows while an invoice is issued and the order is invoiced: it opens the review (the invoice's
 * lines and total, the due date, the manufacturer's bank account and the order's transfer reference, from
 * GET /orders/{id}/payment), whose "I have transferred …" announces the transfer (POST /orders/{id}/payment
 * with the reference). The invoice then shows "Payment announced" until the manufacturer confirms the money
 * arrived (or at once, as its policy says) and the order becomes "Paid" (push event). A 409 is explained and
 * the order fetched again.
 *
 * @module components/invoice
 */

import { h, clear } from "../core/dom.js";
import { api } from "../core/api.js";
import { money, dateLabel, dateTimeLabel } from "../core/format.js";
import { errorBox } from "../ui/states.js";
import { orderName, readableNote } from "../logic/timeline.js";
import { priceLines } from "../logic/lines.js";
import { notify, orderTopic } from "../ui/toast.js";
import { paymentState } from "../logic/payment.js";
import { paymentTerms, transferReview } from "./payment-review.js";

const INVOICE_STATUS = { issued: "Open", paid: "Paid", cancelled: "Cancelled" };

/**
 * @typedef {HTMLElement & {update: (order: object) => void}} InvoicePanel
 */

/**
 * @param {any} invoice InvoicePublic
 * @param {any} order the order it bills (GET /orders/{id} body)
 */
function invoiceCard(invoice, order) {
  const lines = Array.isArray(invoice.lines) ? invoice.lines : [];
  const payment = invoice.payment;
  const announced = invoice.status === "issued" && Boolean(payment);
  const state = announced
    ? "Payment announced"
    : INVOICE_STATUS[/** @type {keyof typeof INVOICE_STATUS} */ (invoice.status)] || invoice.status;
  return h(
    "article",
    { class: ["invoice", `invoice-${invoice.status}`] },
    h(
      "p",
      { class: "quote-price" },
      h("span", { class: "quote-price-label" }, "Total"),
      h("span", { class: "quote-price-value", dataset: { testid: "invoice-total" } }, money(invoice.total, invoice.currency)),
      h("span", { class: ["badge", invoice.status === "paid" ? "tone-success" : invoice.status === "issued" ? "tone-attention" : "tone-danger"] }, state),
    ),
    h(
      "dl",
      { class: "facts" },
      h("div", {}, h("dt", {}, "Due"), h("dd", {}, dateLabel(invoice.due_date))),
      h("div", {}, h("dt", {}, "Issued"), h("dd", {}, dateTimeLabel(invoice.created_at))),
      h("div", {}, h("dt", {}, "For"), h("dd", {}, orderName(order))),
      payment
        ? h("div", {}, h("dt", {}, announced ? "Transfer announced" : "Paid"), h("dd", {}, `${dateTimeLabel(payment.paid_at)} · ${money(payment.amount, payment.currency)}`))
        : null,
      payment && payment.reference
        ? h("div", {}, h("dt", {}, "Reference"), h("dd", { class: "mono" }, payment.reference))
        : null,
    ),
    lines.length
      ? h(
          "table",
          { class: "table invoice-lines" },
          h("caption", { class: "visually-hidden" }, "Invoice lines"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, "Item"),
              h("th", { scope: "col", class: "num" }, "Qty"),
              h("th", { scope: "col", class: "num" }, "Unit price"),
              h("th", { scope: "col", class: "num" }, "Amount"),
            ),
          ),
          h(
            "tbody",
            {},
            priceLines(lines).map((line) =>
              h(
                "tr",
                { dataset: { testid: "invoice-line" } },
                h("td", {}, readableNote(line.item) || "—"),
                h("td", { class: "num" }, line.quantity === null ? "—" : String(line.quantity)),
                h("td", { class: "num" }, line.unitPrice === null ? "—" : money(line.unitPrice, invoice.currency)),
                h("td", { class: "num" }, money(line.amount, invoice.currency)),
              ),
            ),
          ),
        )
      : null,
  );
}

/**
 * @param {any} order GET /orders/{id} body
 * @param {{onChange?: () => void}} [options]
 * @returns {InvoicePanel}
 */
export function invoicePanel(order, { onChange = () => {} } = {}) {
  const headingId = `invoice-${order.id}`;
  const list = h("div", { class: "invoice-list" });
  const stateLine = h("p", { class: "quote-state", role: "status" });
  const errorSlot = h("div");
  const actions = h("div", { class: "actions" });
  const reviewSlot = h("div", { class: "review-slot", hidden: true });
  const panel = /** @type {InvoicePanel} */ (
    /** @type {unknown} */ (
      h(
        "section",
        { class: "card panel invoice-panel", "aria-labelledby": headingId },
        h("h2", { id: headingId }, "Invoice"),
        stateLine,
        actions,
        reviewSlot,
        errorSlot,
        list,
      )
    )
  );
  let current = order;
  /** @type {string|null} invoice id whose transfer was announced from here */
  let paying = null;
  /** @type {string|null} invoice id whose payment is being reviewed */
  let reviewing = null;
  let busy = false;

  const openInvoice = () =>
    (current.invoices || []).find((/** @type {any} */ i) => i.status === "issued") || null;

  /** "Pay now": what to transfer where, with which reference, before "I have transferred …". */
  async function openReview() {
    const invoice = openInvoice();
    if (!invoice) return;
    reviewing = invoice.id;
    clear(reviewSlot).append(h("p", { class: "muted" }, "Loading the payment details…"));
    render();
    const terms = await paymentTerms(current.id);
    if (reviewing !== invoice.id) return;
    const back = () => {
      reviewing = null;
      clear(reviewSlot);
      render();
    };
    clear(reviewSlot).append(transferReview(invoice, terms, { onTransferred: pay, onBack: back }));
    const heading = /** @type {HTMLElement|null} */ (reviewSlot.querySelector("h3"));
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    }
  }

  /** @param {string} reference the order's transfer reference */
  async function pay(reference) {
    const invoice = openInvoice();
    clear(errorSlot);
    busy = true;
    render();
    try {
      await api(`/orders/${encodeURIComponent(current.id)}/payment`, {
        method: "POST",
        json: { method: "bank-transfer", reference },
      });
      paying = invoice ? invoice.id : "";
      reviewing = null;
      clear(reviewSlot);
      notify("Transfer announced.", { tone: "success", topic: orderTopic(current.id, "invoiced") });
      busy = false;
      render();
      onChange();
    } catch (error) {
      busy = false;
      render();
      errorSlot.append(errorBox(error));
      if (/** @type {any} */ (error).status === 409) onChange();
    }
  }

  function render() {
    const invoices = current.invoices || [];
    panel.hidden = invoices.length === 0;
    clear(list);
    invoices.forEach((/** @type {any} */ invoice) => list.append(invoiceCard(invoice, current)));
    const state = paymentState(current);
    const open = state.stage === "open" ? state.invoice : null;
    if (paying && (!open || open.id !== paying)) paying = null;
    if (reviewing && (!open || open.id !== reviewing)) {
      reviewing = null;
      clear(reviewSlot);
    }
    let text = "";
    if (paying) text = "Transfer announced. Waiting for the manufacturer to confirm it arrived…";
    else if (state.stage === "announced") text = "Payment announced — waiting for the manufacturer to confirm receipt.";
    else if (open) text = `Please pay ${money(open.total, open.currency)} by ${dateLabel(open.due_date)}.`;
    else if (state.stage === "paid") text = "Paid. Thank you!";
    stateLine.textContent = text;
    stateLine.hidden = !text;
    reviewSlot.hidden = !reviewing;
    for (const button of reviewSlot.querySelectorAll("button")) /** @type {HTMLButtonElement} */ (button).disabled = busy;
    clear(actions);
    panel.classList.toggle("is-open", Boolean(open && !paying));
    if (open && !paying && !reviewing) {
      actions.append(h("button", { type: "button", class: "button primary", on: { click: openReview } }, "Pay now"));
    }
    actions.hidden = actions.childElementCount === 0;
  }

  panel.update = (order) => {
    current = order;
    render();
  };
  render();
  return panel;
}

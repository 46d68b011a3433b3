/**
 * The invoices of an order and the "Pay now" button of the open one.
 *
 *   const panel = invoicePanel(order, { onChange: () => refetch() });
 *   root.append(panel);        // hidden while the order has no invoice
 *   panel.update(order);       // after every refetch
 *
 * "Pay now" (POST /orders/{id}/payment, no body) shows while an invoice is issued and the order is
 * invoiced. A 202 means the customer's agent pays; the order becomes "Paid" when the payment is
 * recorded (push event). A 409 is explained and the order fetched again.
 *
 * @module components/invoice
 */

import { h, clear } from "../core/dom.js";
import { api } from "../core/api.js";
import { money, dateLabel, dateTimeLabel } from "../core/format.js";
import { errorBox } from "../ui/states.js";
import { readableNote } from "../logic/timeline.js";
import { notify } from "../ui/toast.js";

const INVOICE_STATUS = { issued: "Open", paid: "Paid", cancelled: "Cancelled" };

/**
 * @typedef {HTMLElement & {update: (order: object) => void}} InvoicePanel
 */

/**
 * @param {any} invoice InvoicePublic
 */
function invoiceCard(invoice) {
  const lines = Array.isArray(invoice.lines) ? invoice.lines : [];
  const payment = invoice.payment;
  const state = INVOICE_STATUS[/** @type {keyof typeof INVOICE_STATUS} */ (invoice.status)] || invoice.status;
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
      h("div", {}, h("dt", {}, "Invoice number"), h("dd", { class: "mono" }, String(invoice.id).slice(0, 8))),
      payment
        ? h("div", {}, h("dt", {}, "Paid"), h("dd", {}, `${dateTimeLabel(payment.paid_at)} · ${money(payment.amount, payment.currency)}`))
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
              h("th", { scope: "col", class: "num" }, "Amount"),
            ),
          ),
          h(
            "tbody",
            {},
            lines.map((line) =>
              h(
                "tr",
                {},
                h("td", {}, readableNote(line.description) || "—"),
                h("td", { class: "num" }, String(line.quantity ?? 1)),
                h(
                  "td",
                  { class: "num" },
                  money(Number(line.unit_price) * Number(line.quantity ?? 1), invoice.currency),
                ),
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
  const panel = /** @type {InvoicePanel} */ (
    /** @type {unknown} */ (
      h(
        "section",
        { class: "card panel invoice-panel", "aria-labelledby": headingId },
        h("h2", { id: headingId }, "Invoice"),
        list,
        stateLine,
        errorSlot,
        actions,
      )
    )
  );
  let current = order;
  /** @type {string|null} invoice id a payment was sent for */
  let paying = null;
  let busy = false;

  const openInvoice = () =>
    (current.invoices || []).find((/** @type {any} */ i) => i.status === "issued") || null;

  async function pay() {
    const invoice = openInvoice();
    clear(errorSlot);
    busy = true;
    render();
    try {
      await api(`/orders/${encodeURIComponent(current.id)}/payment`, { method: "POST" });
      paying = invoice ? invoice.id : "";
      notify("Payment sent.", { tone: "success" });
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
    invoices.forEach((/** @type {any} */ invoice) => list.append(invoiceCard(invoice)));
    const open = openInvoice();
    if (paying && (!open || open.id !== paying || current.status !== "invoiced")) paying = null;
    let text = "";
    if (paying) text = "Payment sent. Waiting for it to be recorded…";
    else if (open && current.status === "invoiced") text = `Please pay ${money(open.total, open.currency)} by ${dateLabel(open.due_date)}.`;
    else if (current.status === "paid" || invoices.some((/** @type {any} */ i) => i.status === "paid")) text = "Paid. Thank you!";
    stateLine.textContent = text;
    stateLine.hidden = !text;
    clear(actions);
    panel.classList.toggle("is-open", Boolean(open && current.status === "invoiced" && !paying));
    if (open && current.status === "invoiced" && !paying) {
      const button = h(
        "button",
        { type: "button", class: "button primary", on: { click: pay } },
        busy ? "Paying…" : "Pay now",
      );
      /** @type {HTMLButtonElement} */ (button).disabled = busy;
      actions.append(button);
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

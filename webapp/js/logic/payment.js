/**
 * Pure: where an order's payment is (open, announced, paid), what waits for whom next, and account data
 * written the way people read it (IBANs and transfer references in groups of four).
 * @module logic/payment
 */

/**
 * Text without spaces, upper case, in groups of four: "DE89 3704 0044 0532 0130 00".
 * @param {unknown} text
 * @returns {string}
 */
export function groupsOfFour(text) {
  const compact = String(text ?? "").replace(/[\s-]+/g, "").toUpperCase();
  return compact.replace(/(.{4})(?=.)/g, "$1 ");
}

/**
 * The same reference as a person may type it (spaces, dashes, lower case do not matter).
 * @param {unknown} given
 * @param {unknown} expected
 */
export function sameReference(given, expected) {
  const compact = (/** @type {unknown} */ t) => String(t ?? "").replace(/[\s-]+/g, "").toUpperCase();
  return compact(given) !== "" && compact(given) === compact(expected);
}

/**
 * @typedef {object} PaymentState
 * @property {"none"|"open"|"announced"|"paid"} stage none: no invoice to pay; open: waits for the customer's
 *   transfer; announced: the customer said it transferred, the manufacturer has not confirmed it arrived
 * @property {any} invoice the invoice it is about (null for none)
 * @property {any} payment its payment (announced or received), or null
 */

/**
 * Where the order's payment is: an issued invoice with a payment is an announced transfer.
 * @param {any} order GET /orders/{id} body
 * @returns {PaymentState}
 */
export function paymentState(order) {
  const invoices = order && Array.isArray(order.invoices) ? order.invoices : [];
  const issued = invoices.find((/** @type {any} */ i) => i.status === "issued");
  if (issued) {
    if (issued.payment) return { stage: "announced", invoice: issued, payment: issued.payment };
    if (order.status === "invoiced") return { stage: "open", invoice: issued, payment: null };
  }
  const paid = invoices.find((/** @type {any} */ i) => i.status === "paid");
  if (paid) return { stage: "paid", invoice: paid, payment: paid.payment || null };
  return { stage: "none", invoice: null, payment: null };
}

/**
 * What waits for the customer now, or null: answer the quotation, pay the invoice, confirm the delivery.
 * @param {any} order
 * @param {{received?: boolean}} [seen] received: the customer already confirmed the delivery here
 * @returns {"quotation"|"invoice"|"delivery"|null}
 */
export function customerNextStep(order, { received = false } = {}) {
  if (!order) return null;
  if (order.status === "quoted" && order.quotation) return "quotation";
  if (order.status === "invoiced" && paymentState(order).stage === "open") return "invoice";
  if (order.status === "shipped" && !received) return "delivery";
  return null;
}

/**
 * The words of the customer's button that announces the transfer.
 * @param {string} amount e.g. "€480.00"
 */
export function transferredLabel(amount) {
  return `I have transferred ${amount}`;
}

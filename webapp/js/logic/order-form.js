/**
 * Checks of the customer's forms before they are sent (pure: no DOM). Each returns
 * `{field: message}` with the API's field names, empty when all is well, so the messages can be
 * shown next to the fields exactly like the server's 422 field errors.
 */

import { parseDecimal, validQuantity } from "./price.js";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Whether text is a real calendar date written YYYY-MM-DD.
 * @param {unknown} text
 */
export function isIsoDate(text) {
  if (typeof text !== "string" || !ISO_DATE.test(text)) return false;
  const [y, m, d] = text.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * A new order: quantity and delivery date, between the earliest and the latest date the manufacturer takes
 * (from the estimate, when there is one).
 * @param {{quantity: unknown, deliveryDate: string, today: string, earliest?: string, latest?: string,
 *   dateLabel?: (iso: string) => string}} form dates are YYYY-MM-DD; dateLabel writes a date in the messages
 * @returns {Record<string, string>}
 */
export function validateOrder({ quantity, deliveryDate, today, earliest, latest, dateLabel = (d) => d }) {
  /** @type {Record<string, string>} */
  const errors = {};
  if (!validQuantity(quantity)) errors.quantity = "Enter a whole number from 1 to 10,000.";
  if (!deliveryDate) errors.delivery_date = "Choose a delivery date.";
  else if (!isIsoDate(deliveryDate)) errors.delivery_date = "Enter a date like 2027-03-01.";
  else if (deliveryDate < today) errors.delivery_date = "The delivery date cannot be in the past.";
  else if (earliest && deliveryDate < earliest) {
    errors.delivery_date = `The earliest delivery the manufacturer can make is ${dateLabel(earliest)}.`;
  } else if (latest && deliveryDate > latest) {
    errors.delivery_date = `The manufacturer takes orders for delivery up to ${dateLabel(latest)}.`;
  }
  return errors;
}

/**
 * The delivery date the form shows once an estimate arrived: the earliest feasible date while the customer
 * has not picked one, else the picked date moved into the feasible range.
 * @param {{current: string, picked: boolean, earliest: string, latest: string}} state dates are YYYY-MM-DD
 * @returns {string}
 */
export function feasibleDate({ current, picked, earliest, latest }) {
  if (!picked || !isIsoDate(current) || current < earliest) return earliest;
  return current > latest ? latest : current;
}

/**
 * A counter-offer: a price and/or a delivery date (at least one), and an optional note.
 * @param {{price: string, deliveryDate: string, note?: string, today: string}} form
 * @returns {Record<string, string>}
 */
export function validateCounter({ price, deliveryDate, note = "", today }) {
  /** @type {Record<string, string>} */
  const errors = {};
  const priceText = normalisePrice(price);
  if (priceText !== "") {
    const units = parseDecimal(priceText);
    if (units === null) errors.price = "Enter an amount like 950 or 950.50.";
    else if (units <= 0n) errors.price = "The price must be more than zero.";
    else if (!/^\d+(\.\d{1,2})?$/.test(priceText)) errors.price = "Use at most two decimals.";
  }
  if (deliveryDate) {
    if (!isIsoDate(deliveryDate)) errors.delivery_date = "Enter a date like 2027-03-01.";
    else if (deliveryDate < today) errors.delivery_date = "The delivery date cannot be in the past.";
  }
  if (priceText === "" && !deliveryDate) {
    errors.price = "Enter the price you would accept, a delivery date, or both.";
  }
  if (note.length > 2000) errors.note = "Keep the note under 2,000 characters.";
  return errors;
}

/**
 * A typed amount as the API wants it: spaces, a currency sign and thousands separators removed
 * ("€ 1,250.50" -> "1250.50").
 * @param {unknown} text
 */
export function normalisePrice(text) {
  return String(text ?? "")
    .trim()
    .replace(/[\s€$£]/g, "")
    .replace(/,(?=\d{3}(\D|$))/g, "");
}

/**
 * The body of POST /orders/{id}/counter from the form's values (checked with validateCounter first).
 * @param {{price: string, deliveryDate: string, note?: string}} form
 */
export function counterBody({ price, deliveryDate, note = "" }) {
  const priceText = normalisePrice(price);
  return {
    price: priceText === "" ? null : priceText,
    delivery_date: deliveryDate || null,
    note: note.trim(),
  };
}

/**
 * The lines of a quotation or an invoice as a table shows them: what, how many, the price of one and the
 * line's total, in whole cents (a quantity of 2 at €250.00 is €500.00).
 *
 * A quotation line is `{part_id, description, quantity?, unit_price?, price}` (`price` the line's total; a
 * line without quantity and unit price is priced as a whole); an invoice line is
 * `{description, quantity, unit_price}` (its amount: unit price × quantity).
 *
 * @module logic/lines
 */

/**
 * @typedef {object} PricedLine
 * @property {string} item what the line is, in words
 * @property {number|null} quantity how many (null: priced as a whole)
 * @property {string|null} unitPrice the price of one, a decimal string (null: priced as a whole)
 * @property {string} amount the line's total, a decimal string
 */

/**
 * @param {unknown} value a decimal string or number
 * @returns {number|null} whole cents, or null when it is no amount
 */
function cents(value) {
  if (value === null || value === undefined || value === "") return null;
  const number = Number(value);
  return Number.isFinite(number) ? Math.round(number * 100) : null;
}

/** @param {number} amount whole cents */
const decimal = (amount) => (amount / 100).toFixed(2);

/**
 * @param {unknown} lines a quotation's or an invoice's `lines`
 * @returns {PricedLine[]}
 */
export function priceLines(lines) {
  if (!Array.isArray(lines)) return [];
  return lines.map((/** @type {any} */ line) => {
    const quantity = Number.isInteger(line?.quantity) && line.quantity > 0 ? line.quantity : null;
    const unit = cents(line?.unit_price);
    const whole = cents(line?.price);
    const amount = whole ?? (unit === null ? 0 : unit * (quantity ?? 1));
    return {
      item: String(line?.description || line?.part_id || ""),
      quantity: unit === null ? null : quantity ?? 1,
      unitPrice: unit === null ? null : decimal(unit),
      amount: decimal(amount),
    };
  });
}

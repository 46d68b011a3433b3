/**
 * The configurator's prices (pure: no DOM, importable by `node --test`).
 *
 * Prices travel as decimal strings ("450.00", "-40.00", "310.0000"). They are added as integers of
 * 1/10000 of the currency unit (BigInt), so no floating-point error creeps in, and written back as
 * decimal strings with two decimals (more only when the amount needs them).
 *
 * The configurator's estimate comes from the API (POST /products/{id}/estimate: the price range the
 * quotation keeps, from the manufacturer's margin and what suppliers charge for the parts); these helpers make
 * its request and write its range. The manufacturer's quotation, after the agents have negotiated with
 * suppliers, is the real price.
 */

/**
 * An option of a product as the configurator reads it (ProductPublic.options).
 * @typedef {{id: string, required?: boolean, default?: string | null, choices?: Array<{id: string}>}} ProductOption
 */

const SCALE_DIGITS = 4;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * A decimal string (or number) as an integer of 1/10000 units; null when it is not a decimal.
 * Digits past the fourth decimal are rounded half away from zero.
 * @param {string|number|null|undefined} value
 * @returns {bigint|null}
 */
export function parseDecimal(value) {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = ""] = match;
  const kept = fraction.slice(0, SCALE_DIGITS).padEnd(SCALE_DIGITS, "0");
  let units = BigInt(whole) * SCALE + BigInt(kept);
  if (fraction.length > SCALE_DIGITS && Number(fraction[SCALE_DIGITS]) >= 5) units += 1n;
  return sign === "-" ? -units : units;
}

/**
 * Units of 1/10000 as a decimal string with at least two decimals: 4500000n -> "450.00".
 * @param {bigint} units
 * @returns {string}
 */
export function formatDecimal(units) {
  const negative = units < 0n;
  const size = negative ? -units : units;
  const whole = size / SCALE;
  let fraction = (size % SCALE).toString().padStart(SCALE_DIGITS, "0");
  while (fraction.length > 2 && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  return `${negative && size !== 0n ? "-" : ""}${whole}.${fraction}`;
}

/**
 * Whether two decimal strings are the same amount ("1089.94" and "1089.9400" are).
 * @param {string|number|null|undefined} a
 * @param {string|number|null|undefined} b
 */
export function sameAmount(a, b) {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  return x !== null && y !== null && x === y;
}

/**
 * The choice an option starts with: its default, else the first choice of a required option,
 * else none ("").
 * @param {ProductOption} option
 * @returns {string}
 */
export function defaultChoiceId(option) {
  const choices = option.choices || [];
  if (option.default && choices.some((c) => c.id === option.default)) return option.default;
  if (option.required && choices.length > 0) return choices[0].id;
  return "";
}

/**
 * The starting selection of a product: option id -> choice id ("" = none).
 * @param {{options?: ProductOption[]}} product
 * @returns {Record<string, string>}
 */
export function defaultSelections(product) {
  /** @type {Record<string, string>} */
  const selections = {};
  for (const option of product.options || []) selections[option.id] = defaultChoiceId(option);
  return selections;
}

/**
 * The chosen choice of an option, or null (none, or an id the option does not have).
 * @param {{choices?: Array<{id: string}>}} option
 * @param {string|null|undefined} choiceId
 */
export function findChoice(option, choiceId) {
  if (!choiceId) return null;
  return (option.choices || []).find((c) => c.id === choiceId) || null;
}

/**
 * Whether the quantity is a whole number the API accepts (1 to 10000).
 * @param {unknown} quantity
 */
export function validQuantity(quantity) {
  const text = String(quantity ?? "").trim();
  if (!/^\d+$/.test(text)) return false;
  const n = Number(text);
  return n >= 1 && n <= 10000;
}

/**
 * The body of POST /products/{id}/estimate for a configuration: the chosen choices and the quantity;
 * null while the quantity is not a whole number from 1 to 10000 (nothing to ask yet).
 * @param {{options?: ProductOption[]}} product
 * @param {Record<string, string>} selections option id -> choice id ("" = none)
 * @param {unknown} quantity
 * @returns {{options: Record<string, string>, quantity: number} | null}
 */
export function estimateBody(product, selections, quantity) {
  if (!validQuantity(quantity)) return null;
  return { options: orderOptions(product, selections), quantity: Number(String(quantity).trim()) };
}

/**
 * The estimate's price range as the configurator shows it: one amount when both ends are the same.
 * @param {{price: {low: string, high: string, currency: string}}} estimate a ProductEstimate
 * @param {(amount: string, currency: string) => string} money how an amount is written
 * @returns {string} "€1,079.19 – €1,274.95" or "€480.00"
 */
export function rangeText(estimate, money) {
  const { low, high, currency } = estimate.price;
  if (sameAmount(low, high)) return money(low, currency);
  return `${money(low, currency)} – ${money(high, currency)}`;
}

/**
 * The `options` of an OrderCreate body: the chosen choice per option, leaving out "none".
 * @param {{options?: ProductOption[]}} product
 * @param {Record<string, string>} selections
 * @returns {Record<string, string>}
 */
export function orderOptions(product, selections) {
  /** @type {Record<string, string>} */
  const options = {};
  for (const option of product.options || []) {
    const chosen = selections[option.id];
    if (chosen && findChoice(option, chosen)) options[option.id] = chosen;
  }
  return options;
}

/**
 * How a choice changes the price, for its label: "+90.00", "-40.00", or "" when it costs nothing extra.
 * @param {string} costDelta
 * @returns {{sign: "+"|"-"|"", amount: string}}
 */
export function deltaParts(costDelta) {
  const units = parseDecimal(costDelta) ?? 0n;
  if (units === 0n) return { sign: "", amount: "0.00" };
  return { sign: units > 0n ? "+" : "-", amount: formatDecimal(units > 0n ? units : -units) };
}

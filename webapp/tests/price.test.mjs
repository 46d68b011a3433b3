import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parseDecimal,
  formatDecimal,
  sameAmount,
  defaultChoiceId,
  defaultSelections,
  estimateBody,
  rangeText,
  orderOptions,
  deltaParts,
  validQuantity,
} from "../js/logic/price.js";

const frame = {
  id: "demo-bicycle-frame",
  base_cost: "420.0000",
  currency: "EUR",
  options: [
    {
      id: "material",
      label: "Frame material",
      required: true,
      default: "steel",
      choices: [
        { id: "steel", label: "Steel", cost_delta: "0" },
        { id: "aluminium", label: "Aluminium", cost_delta: "90.00" },
        { id: "stainless", label: "Stainless", cost_delta: "380.00" },
      ],
    },
    {
      id: "finish",
      label: "Finish",
      required: true,
      default: null,
      choices: [
        { id: "powder-coat", label: "Powder coat", cost_delta: "60.00" },
        { id: "brushed", label: "Brushed", cost_delta: "45.00" },
      ],
    },
    {
      id: "width",
      label: "Width",
      required: true,
      default: "120",
      choices: [
        { id: "80", label: "80 cm", cost_delta: "-40.00" },
        { id: "120", label: "120 cm", cost_delta: "0" },
      ],
    },
    {
      id: "lining",
      label: "Lining print",
      required: false,
      default: null,
      choices: [{ id: "custom-print", label: "Custom print", cost_delta: "15.005" }],
    },
  ],
};

test("decimal strings are parsed exactly and written with two decimals", () => {
  assert.equal(parseDecimal("450.00"), 4500000n);
  assert.equal(parseDecimal("-40.00"), -400000n);
  assert.equal(parseDecimal("0.1"), 1000n);
  assert.equal(parseDecimal(" 12 "), 120000n);
  assert.equal(parseDecimal("1.00005"), 10001n);
  assert.equal(parseDecimal("abc"), null);
  assert.equal(parseDecimal(""), null);
  assert.equal(parseDecimal(null), null);
  assert.equal(parseDecimal("1e3"), null);
  assert.equal(formatDecimal(4500000n), "450.00");
  assert.equal(formatDecimal(1000n), "0.10");
  assert.equal(formatDecimal(150050n), "15.005");
  assert.equal(formatDecimal(-400000n), "-40.00");
  assert.equal(formatDecimal(0n), "0.00");
});

test("0.1 + 0.2 is 0.30, not a floating-point approximation", () => {
  assert.equal(formatDecimal(parseDecimal("0.1") + parseDecimal("0.2")), "0.30");
});

test("the same amount written two ways is the same amount", () => {
  assert.ok(sameAmount("1089.94", "1089.9400"));
  assert.ok(!sameAmount("1089.94", "1089.95"));
  assert.ok(!sameAmount(null, "1"));
});

test("an option starts with its default, a required one with its first choice, else none", () => {
  assert.equal(defaultChoiceId(frame.options[0]), "steel");
  assert.equal(defaultChoiceId(frame.options[1]), "powder-coat");
  assert.equal(defaultChoiceId(frame.options[3]), "");
  assert.equal(defaultChoiceId({ required: true, default: "gone", choices: [{ id: "a" }] }), "a");
  assert.equal(defaultChoiceId({ required: true, default: null, choices: [] }), "");
  assert.deepEqual(defaultSelections(frame), {
    material: "steel",
    finish: "powder-coat",
    width: "120",
    lining: "",
  });
  assert.deepEqual(defaultSelections({}), {});
});

test("the estimate asks for the chosen choices and the quantity", () => {
  const chosen = { ...defaultSelections(frame), material: "aluminium", lining: "" };
  assert.deepEqual(estimateBody(frame, chosen, " 3 "), {
    options: { material: "aluminium", finish: "powder-coat", width: "120" },
    quantity: 3,
  });
  assert.deepEqual(estimateBody(frame, { material: "carbon" }, 1), { options: {}, quantity: 1 });
});

test("nothing is asked while the quantity is not a whole number from 1 to 10000", () => {
  for (const q of [0, -1, "1.5", "", "abc", 10001, null]) assert.equal(estimateBody(frame, {}, q), null);
  assert.equal(estimateBody(frame, {}, 10000)?.quantity, 10000);
  assert.ok(validQuantity(" 7 "));
  assert.ok(!validQuantity(undefined));
});

test("the range is written low to high, one amount when both ends are the same", () => {
  const euros = (/** @type {string} */ amount, /** @type {string} */ currency) => `${currency} ${amount}`;
  const range = { price: { low: "1079.19", high: "1274.95", currency: "EUR" } };
  assert.equal(rangeText(range, euros), "EUR 1079.19 – EUR 1274.95");
  const fixed = { price: { low: "480.00", high: "480.0000", currency: "EUR" } };
  assert.equal(rangeText(fixed, euros), "EUR 480.00");
});

test("the order's options leave out 'none' and unknown choices", () => {
  const chosen = { material: "aluminium", finish: "brushed", width: "120", lining: "", extra: "x" };
  assert.deepEqual(orderOptions(frame, chosen), {
    material: "aluminium",
    finish: "brushed",
    width: "120",
  });
  assert.deepEqual(orderOptions(frame, { material: "carbon" }), {});
});

test("a choice's price change is shown with its sign", () => {
  assert.deepEqual(deltaParts("90.00"), { sign: "+", amount: "90.00" });
  assert.deepEqual(deltaParts("-40.00"), { sign: "-", amount: "40.00" });
  assert.deepEqual(deltaParts("0"), { sign: "", amount: "0.00" });
  assert.deepEqual(deltaParts("junk"), { sign: "", amount: "0.00" });
});

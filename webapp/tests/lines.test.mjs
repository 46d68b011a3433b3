import { test } from "node:test";
import assert from "node:assert/strict";
import { priceLines } from "../js/logic/lines.js";

test("a quotation line: the product with quantity, unit price and the line's price", () => {
  const lines = [
    { part_id: "bike", description: "Bike: Frame Steel", quantity: 2, unit_price: "250.00", price: "500.00" },
  ];
  assert.deepEqual(priceLines(lines), [
    { item: "Bike: Frame Steel", quantity: 2, unitPrice: "250.00", amount: "500.00" },
  ]);
});

test("an invoice line's amount is its unit price times its quantity, in whole cents", () => {
  assert.deepEqual(priceLines([{ description: "Tote bag", quantity: 3, unit_price: "33.34" }]), [
    { item: "Tote bag", quantity: 3, unitPrice: "33.34", amount: "100.02" },
  ]);
  assert.deepEqual(priceLines([{ description: "Tote bag", quantity: 3, unit_price: "0.10" }])[0].amount, "0.30");
});

test("a line priced as a whole has no quantity nor unit price; no lines, no rows", () => {
  assert.deepEqual(priceLines([{ part_id: "order", description: "", price: "501.00" }]), [
    { item: "order", quantity: null, unitPrice: null, amount: "501.00" },
  ]);
  assert.deepEqual(priceLines(undefined), []);
  assert.deepEqual(priceLines([{ description: "x", unit_price: "4.00" }]), [
    { item: "x", quantity: 1, unitPrice: "4.00", amount: "4.00" },
  ]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  isIsoDate,
  validateOrder,
  validateCounter,
  normalisePrice,
  counterBody,
} from "../js/logic/order-form.js";

const today = "2026-12-02";

test("real calendar dates only", () => {
  assert.ok(isIsoDate("2027-02-28"));
  assert.ok(isIsoDate("2028-02-29"));
  assert.ok(!isIsoDate("2027-02-29"));
  assert.ok(!isIsoDate("2027-13-01"));
  assert.ok(!isIsoDate("1/3/2027"));
  assert.ok(!isIsoDate(undefined));
});

test("a good order has no errors", () => {
  assert.deepEqual(validateOrder({ quantity: "2", deliveryDate: "2027-01-01", today }), {});
  assert.deepEqual(validateOrder({ quantity: 1, deliveryDate: today, today }), {});
});

test("order errors name the API's fields", () => {
  assert.deepEqual(Object.keys(validateOrder({ quantity: "0", deliveryDate: "", today })).sort(), [
    "delivery_date",
    "quantity",
  ]);
  assert.match(
    validateOrder({ quantity: 1, deliveryDate: "2026-12-01", today }).delivery_date,
    /past/,
  );
  assert.match(validateOrder({ quantity: 1, deliveryDate: "2026-99-01", today }).delivery_date, /date/);
  assert.match(validateOrder({ quantity: "1.5", deliveryDate: today, today }).quantity, /whole number/);
});

test("typed prices are cleaned up", () => {
  assert.equal(normalisePrice(" € 1,250.50 "), "1250.50");
  assert.equal(normalisePrice("950"), "950");
  assert.equal(normalisePrice(null), "");
});

test("a counter needs a price or a date", () => {
  assert.match(validateCounter({ price: "", deliveryDate: "", today }).price, /price/);
  assert.deepEqual(validateCounter({ price: "950", deliveryDate: "", today }), {});
  assert.deepEqual(validateCounter({ price: "", deliveryDate: "2027-01-10", today }), {});
  assert.deepEqual(validateCounter({ price: "1,200.50", deliveryDate: "2027-01-10", today }), {});
});

test("counter errors: bad amounts, past dates, long notes", () => {
  assert.match(validateCounter({ price: "abc", deliveryDate: "", today }).price, /amount/);
  assert.match(validateCounter({ price: "0", deliveryDate: "", today }).price, /more than zero/);
  assert.match(validateCounter({ price: "-5", deliveryDate: "", today }).price, /more than zero/);
  assert.match(validateCounter({ price: "9.999", deliveryDate: "", today }).price, /two decimals/);
  assert.match(validateCounter({ price: "", deliveryDate: "2020-01-01", today }).delivery_date, /past/);
  assert.match(validateCounter({ price: "1", deliveryDate: "", note: "x".repeat(2001), today }).note, /2,000/);
});

test("the counter body sends what was typed, empty fields as null", () => {
  assert.deepEqual(counterBody({ price: "€1,000", deliveryDate: "", note: "  thanks " }), {
    price: "1000",
    delivery_date: null,
    note: "thanks",
  });
  assert.deepEqual(counterBody({ price: "", deliveryDate: "2027-01-10" }), {
    price: null,
    delivery_date: "2027-01-10",
    note: "",
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  isIsoDate,
  validateOrder,
  feasibleDate,
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

test("only dates the manufacturer takes are accepted, said with its dates", () => {
  const bounds = { today, earliest: "2026-12-20", latest: "2027-12-02", dateLabel: (/** @type {string} */ d) => `[${d}]` };
  assert.deepEqual(validateOrder({ quantity: 1, deliveryDate: "2026-12-20", ...bounds }), {});
  assert.deepEqual(validateOrder({ quantity: 1, deliveryDate: "2027-12-02", ...bounds }), {});
  assert.equal(
    validateOrder({ quantity: 1, deliveryDate: "2026-12-19", ...bounds }).delivery_date,
    "The earliest delivery the manufacturer can make is [2026-12-20].",
  );
  assert.equal(
    validateOrder({ quantity: 1, deliveryDate: "2076-12-02", ...bounds }).delivery_date,
    "The manufacturer takes orders for delivery up to [2027-12-02].",
  );
});

test("the form offers the earliest feasible date until the customer picks one, and keeps it in range", () => {
  const range = { earliest: "2026-12-20", latest: "2027-12-02" };
  assert.equal(feasibleDate({ current: "", picked: false, ...range }), "2026-12-20");
  assert.equal(feasibleDate({ current: "2027-01-05", picked: false, ...range }), "2026-12-20");
  assert.equal(feasibleDate({ current: "2027-01-05", picked: true, ...range }), "2027-01-05");
  assert.equal(feasibleDate({ current: "2026-12-03", picked: true, ...range }), "2026-12-20");
  assert.equal(feasibleDate({ current: "2030-01-01", picked: true, ...range }), "2027-12-02");
  assert.equal(feasibleDate({ current: "garbage", picked: true, ...range }), "2026-12-20");
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

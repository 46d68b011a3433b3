import { test } from "node:test";
import assert from "node:assert/strict";

import {
  STATUS_LABELS, addDays, dateLabel, dateTimeLabel, money, statusLabel, statusTone, todayIso,
} from "../js/core/format.js";

test("every order status has a label", () => {
  const statuses = ["received", "accepted", "rejected", "sourcing", "negotiating", "quoted", "countered",
    "confirmed", "declined", "contracting", "contracted", "in_production", "produced", "invoiced", "paid",
    "delivered", "completed", "cancelled", "failed"];
  for (const status of statuses) assert.ok(STATUS_LABELS[status], status);
  assert.equal(statusLabel("sourcing"), "Finding suppliers");
  assert.equal(statusLabel("in_production"), "In production");
});

test("unknown statuses become words", () => {
  assert.equal(statusLabel("on_hold"), "On hold");
  assert.equal(statusLabel(""), "Unknown");
  assert.equal(statusLabel(null), "Unknown");
});

test("status tones", () => {
  assert.equal(statusTone("paid"), "success");
  assert.equal(statusTone("failed"), "danger");
  assert.equal(statusTone("whatever"), "neutral");
});

test("money in en-GB style", () => {
  assert.equal(money("1234.5", "EUR"), "€1,234.50");
  assert.equal(money(0, "EUR"), "€0.00");
  assert.equal(money("99.999", "GBP"), "£100.00");
  assert.equal(money("12", "USD"), "US$12.00");
  assert.equal(money("12"), "€12.00");
  assert.equal(money(null, "EUR"), "—");
  assert.equal(money("abc", "EUR"), "abc");
  assert.equal(money("5", "NOPE"), "5.00 NOPE");
});

test("date labels", () => {
  assert.equal(dateLabel("2027-03-01"), "1 Mar 2027");
  assert.equal(dateLabel("2027-12-31"), "31 Dec 2027");
  assert.equal(dateLabel(""), "—");
  assert.equal(dateLabel("not a date"), "not a date");
  const local = new Date(2027, 2, 1, 18, 0);
  assert.equal(dateTimeLabel(local.toISOString()), "1 Mar 2027, 18:00");
});

test("today and adding days", () => {
  assert.match(todayIso(), /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(addDays("2027-02-27", 2), "2027-03-01");
  assert.equal(addDays("2028-02-28", 1), "2028-02-29");
  assert.equal(addDays("2027-12-31", 1), "2028-01-01");
  assert.equal(addDays("2027-03-01", -1), "2027-02-28");
  assert.equal(addDays("2027-03-27", 30), "2027-04-26");
  assert.throws(() => addDays("tomorrow", 1), RangeError);
});

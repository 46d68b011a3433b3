// One palette for every order status, the same for customers and manufacturers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { STATUS_LABELS, STATUS_TONES, statusTone } from "../js/core/format.js";

test("every known status has a tone of its own", () => {
  assert.deepEqual(Object.keys(STATUS_TONES).sort(), Object.keys(STATUS_LABELS).sort());
});

test("a cancelled order is neutral, a failed, refused or declined one is an error", () => {
  assert.equal(statusTone("cancelled"), "neutral");
  assert.equal(statusTone("failed"), "danger");
  assert.equal(statusTone("rejected"), "danger");
  assert.equal(statusTone("declined"), "danger");
});

test("the customer's turn asks for attention, the agents' work is progress", () => {
  for (const status of ["quoted", "invoiced", "shipped"]) assert.equal(statusTone(status), "attention", status);
  for (const status of ["sourcing", "negotiating", "countered", "contracting", "in_production"]) {
    assert.equal(statusTone(status), "progress", status);
  }
  for (const status of ["paid", "delivered", "completed"]) assert.equal(statusTone(status), "success", status);
});

test("an unknown status is neutral", () => {
  assert.equal(statusTone("on_hold"), "neutral");
  assert.equal(statusTone(""), "neutral");
});

test("the style sheet colours every tone", () => {
  const css = readFileSync(new URL("../css/app.css", import.meta.url), "utf8");
  for (const tone of new Set(Object.values(STATUS_TONES))) {
    assert.match(css, new RegExp(`\\.badge\\.tone-${tone}\\b`), tone);
    assert.match(css, new RegExp(`\\.tone-${tone} > \\.order-link\\b`), tone);
  }
});

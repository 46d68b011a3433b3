// The customer's order page says what a status means, and why a stopped order stopped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EXPLAINED, statusExplanation, stopReason } from "../js/logic/customer-status.js";
import { STATUS_LABELS } from "../js/core/format.js";

test("every status is explained in the customer's words", () => {
  assert.deepEqual(Object.keys(EXPLAINED).sort(), Object.keys(STATUS_LABELS).sort());
  assert.equal(statusExplanation("quoted", {}), "Your quotation is ready. Please answer it below.");
  assert.equal(statusExplanation("on_hold", {}), "");
});

test("a delivery confirmed on the page is told before the manufacturer records it", () => {
  assert.equal(statusExplanation("shipped", {}, { received: true }),
    "You confirmed the delivery. The manufacturer is recording it.");
  assert.equal(statusExplanation("shipped", {}), EXPLAINED.shipped);
});

test("an announced transfer is told until the manufacturer confirms it arrived", () => {
  const announced = { status: "invoiced", invoices: [{ id: "i1", status: "issued", payment: { id: "p1" } }] };
  assert.match(statusExplanation("invoiced", announced), /You announced your transfer/);
  const open = { status: "invoiced", invoices: [{ id: "i1", status: "issued", payment: null }] };
  assert.equal(statusExplanation("invoiced", open), EXPLAINED.invoiced);
});

test("a stopped order says why, from the history entry that stopped it", () => {
  const order = {
    history: [{ to_status: "failed", event: "failed", params: { reason: "sourcing-failed" } }],
  };
  assert.equal(stopReason("failed", order), "The order stopped: the supplier search failed.");
  assert.equal(stopReason("cancelled", order), "", "the history has not caught up with the status yet");
  assert.equal(stopReason("sourcing", { history: [{ to_status: "sourcing" }] }), "", "a running order");
  assert.equal(stopReason("failed", {}), "");
});

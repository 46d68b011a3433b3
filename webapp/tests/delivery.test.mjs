import { test } from "node:test";
import assert from "node:assert/strict";
import { deliverySummary, longDate, penaltyText, receivedText, shippedText, lateText } from "../js/logic/delivery.js";
import { statusLabel, statusTone } from "../js/core/format.js";

const LEDGER = {
  order_id: "o1",
  delivery_date: "2027-03-11",
  currency: "EUR",
  carrier: "DHL",
  reference: "1Z999AA10123456784",
  shipped_at: "2027-03-10T09:00:00Z",
  received_at: null,
  days_late: null,
  penalty_per_day: "10.00",
  penalty_cap: "25.00",
  penalty_claimed: null,
};

/** @param {string} status */
function order(status, penalty = { per_day_late: "10.00", cap: "25.00" }) {
  return { id: "o1", status, quotation: { currency: "EUR", delivery_date: "2027-03-11", penalty } };
}

test("the statuses after payment are in words", () => {
  assert.equal(statusLabel("shipped"), "Shipped");
  assert.equal(statusLabel("delivered"), "Delivered");
  assert.equal(statusLabel("completed"), "Completed");
  assert.equal(statusTone("shipped"), "attention", "a shipped order waits for the customer's confirmation");
  assert.equal(statusTone("completed"), "success");
});

test("the agreed penalty is told in words, with its cap", () => {
  assert.equal(penaltyText({ per_day_late: "10", cap: "25" }, "EUR"), "€10.00 for each day late, at most €25.00");
  assert.equal(penaltyText({ per_day_late: "7.5", cap: null }, "GBP"), "£7.50 for each day late");
  assert.equal(penaltyText(null), "");
  assert.equal(penaltyText(undefined, "EUR"), "");
});

test("a shipment names its carrier and reference, never an id", () => {
  assert.equal(shippedText(LEDGER), "Shipped with DHL, reference 1Z999AA10123456784 on 10 March 2027");
  assert.equal(shippedText({ carrier: "UPS", reference: "1Z1" }), "Shipped with UPS, reference 1Z1");
  assert.equal(shippedText({}), "Shipped");
  assert.equal(longDate("2027-03-14T23:30:00Z"), "14 March 2027");
  assert.equal(lateText(1), "1 day late");
  assert.equal(lateText(0), "");
});

test("a shipped order can be confirmed; the penalty and how late it is so far are shown", () => {
  const summary = deliverySummary(order("shipped"), LEDGER, null, new Date("2027-03-14T10:00:00Z"));
  assert.equal(summary.visible, true);
  assert.equal(summary.canConfirm, true);
  assert.equal(summary.shipped, "Shipped with DHL, reference 1Z999AA10123456784 on 10 March 2027");
  assert.equal(summary.penalty, "€10.00 for each day late, at most €25.00");
  assert.equal(summary.late, "Agreed for 11 March 2027: 3 days late so far");
  assert.equal(summary.received, "");
});

test("before the ledger can be read, the push event's carrier and reference are shown", () => {
  const summary = deliverySummary(order("shipped"), null, { carrier: "DHL", reference: "JD01" }, new Date("2027-03-01T10:00:00Z"));
  assert.equal(summary.shipped, "Shipped with DHL, reference JD01");
  assert.equal(summary.penalty, "€10.00 for each day late, at most €25.00", "the quotation's penalty");
  assert.equal(summary.late, "", "not late yet");
  assert.equal(summary.canConfirm, true);
});

test("a late delivery tells the days late and the penalty claimed", () => {
  const received = { ...LEDGER, received_at: "2027-03-14T12:00:00Z", days_late: 3, penalty_claimed: "25.00" };
  assert.equal(receivedText(received), "Delivered on 14 March 2027, 3 days late; a penalty of €25.00 is claimed");
  const summary = deliverySummary(order("shipped"), received);
  assert.equal(summary.canConfirm, false, "confirmed already (the status follows)");
  assert.equal(summary.late, "");
  const done = deliverySummary(order("delivered"), received);
  assert.equal(done.received, "Delivered on 14 March 2027, 3 days late; a penalty of €25.00 is claimed");
  assert.equal(done.canConfirm, false);
});

test("an on-time delivery says so; nothing shows before shipping", () => {
  const onTime = { ...LEDGER, received_at: "2027-03-11T08:00:00Z", days_late: 0 };
  assert.equal(receivedText(onTime), "Delivered on 11 March 2027, on time");
  assert.equal(deliverySummary(order("completed"), null).received, "Delivered");
  const before = deliverySummary(order("paid"), null);
  assert.equal(before.visible, false);
  assert.equal(before.canConfirm, false);
  assert.equal(before.shipped, "");
  assert.equal(deliverySummary(order("shipped", null), null).penalty, "", "no penalty agreed");
});

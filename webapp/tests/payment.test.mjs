import { test } from "node:test";
import assert from "node:assert/strict";
import { groupsOfFour, sameReference, paymentState, customerNextStep, transferredLabel } from "../js/logic/payment.js";

const INVOICE = { id: "i1", status: "issued", total: "480.00", currency: "EUR", due_date: "2027-03-01", payment: null };
const PAYMENT = { id: "p1", amount: "480.00", currency: "EUR", method: "bank-transfer", reference: "RF163ADB0E8C12" };

test("IBANs and references read in groups of four, whatever was typed", () => {
  assert.equal(groupsOfFour("DE89370400440532013000"), "DE89 3704 0044 0532 0130 00");
  assert.equal(groupsOfFour("gb82 west-1234 5698 7654 32"), "GB82 WEST 1234 5698 7654 32");
  assert.equal(groupsOfFour("RF163ADB0E8C12"), "RF16 3ADB 0E8C 12");
  assert.equal(groupsOfFour("RF16"), "RF16");
  assert.equal(groupsOfFour(""), "");
  assert.equal(groupsOfFour(null), "");
});

test("a reference is the same with spaces, dashes and lower case, never when empty", () => {
  assert.ok(sameReference("rf16 3adb-0e8c 12", "RF163ADB0E8C12"));
  assert.ok(!sameReference("RF163ADB0E8C13", "RF163ADB0E8C12"));
  assert.ok(!sameReference("", ""));
});

test("the payment is open, then announced, then paid", () => {
  assert.equal(paymentState({ status: "produced", invoices: [] }).stage, "none");
  const open = paymentState({ status: "invoiced", invoices: [INVOICE] });
  assert.equal(open.stage, "open");
  assert.equal(open.invoice.id, "i1");
  const announced = paymentState({ status: "invoiced", invoices: [{ ...INVOICE, payment: PAYMENT }] });
  assert.deepEqual([announced.stage, announced.payment.reference], ["announced", "RF163ADB0E8C12"]);
  const paid = paymentState({ status: "paid", invoices: [{ ...INVOICE, status: "paid", payment: PAYMENT }] });
  assert.deepEqual([paid.stage, paid.payment.id], ["paid", "p1"]);
  assert.equal(paymentState({ status: "cancelled", invoices: [INVOICE] }).stage, "none");
});

test("the customer's next step: answer, pay (not once announced), confirm the delivery", () => {
  assert.equal(customerNextStep({ status: "quoted", quotation: { id: "q" } }), "quotation");
  assert.equal(customerNextStep({ status: "quoted", quotation: null }), null);
  assert.equal(customerNextStep({ status: "invoiced", invoices: [INVOICE] }), "invoice");
  assert.equal(customerNextStep({ status: "invoiced", invoices: [{ ...INVOICE, payment: PAYMENT }] }), null);
  assert.equal(customerNextStep({ status: "shipped" }), "delivery");
  assert.equal(customerNextStep({ status: "shipped" }, { received: true }), null);
  assert.equal(customerNextStep({ status: "in_production" }), null);
  assert.equal(customerNextStep(null), null);
});

test("the transfer button names the amount", () => {
  assert.equal(transferredLabel("€480.00"), "I have transferred €480.00");
});

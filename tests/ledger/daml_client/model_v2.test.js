// Digital Asset's own JSON API client (@daml/ledger 2.10.4) against a running `lso ledger serve` on model v2,
// each party with its own ledger user's token: the customer orders, the manufacturer accepts and ships, the
// customer confirms delivery, the manufacturer raises the invoice (the agreed price), the customer claims
// payment, the payee alone confirms it; one party alone cannot create an invoice.
//
// Driven by tests/ledger/test_model_v2_daml_client.py: `node model_v2.test.js` with the environment
//   LSO_V2_CONFIG = {"httpBaseUrl", "packageId", "customer", "manufacturer", "orderId", "deliveryDate",
//                    "dueDate", "tokens": {"customer", "manufacturer"}}
// Prints one JSON line per step ({"step": ..., ...}) and exits 0 when every expectation held.
"use strict";

const assert = require("assert");
const jtv = require("@mojotech/json-type-validation");
const damlTypes = require("@daml/types");
const Ledger = require("@daml/ledger").default;

const config = JSON.parse(process.env.LSO_V2_CONFIG);

// A template companion as `daml codegen js` writes it (only what @daml/ledger uses).
function template(entity, choices) {
  const t = {
    templateId: `${config.packageId}:LotSizeOne.Contract:${entity}`,
    sdkVersion: "2.10.4",
    keyDecoder: jtv.unknownJson(),
    keyEncode: (key) => key,
    decoder: jtv.unknownJson(),
    encode: (payload) => payload,
  };
  for (const name of choices) {
    t[name] = {
      template: () => t,
      choiceName: name,
      argumentDecoder: jtv.unknownJson(),
      argumentEncode: (argument) => argument,
      resultDecoder: jtv.unknownJson(),
    };
  }
  damlTypes.registerTemplate(t);
  return t;
}

const CustomerOrder = template("CustomerOrder", ["AcceptOrder"]);
const OrderAgreement = template("OrderAgreement", ["Ship", "ConfirmDelivery", "RaiseInvoice"]);
const Invoice = template("Invoice", ["ClaimPayment"]);
const PaymentClaim = template("PaymentClaim", ["ConfirmPayment"]);
const PaymentReceipt = template("PaymentReceipt", []);

function report(step, details) {
  process.stdout.write(JSON.stringify({ step, ...details }) + "\n");
}

function ledgerAs(who) {
  return new Ledger({ token: config.tokens[who], httpBaseUrl: config.httpBaseUrl });
}

async function refused(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the ledger to refuse");
}

async function main() {
  const customer = ledgerAs("customer");
  const maker = ledgerAs("manufacturer");
  const order = {
    orderId: config.orderId,
    customer: config.customer,
    manufacturer: config.manufacturer,
    productId: "bike-42",
    quantity: "2",
    items: [
      { itemId: "frame", description: "frame", quantity: "2", price: "200" },
      { itemId: "paint", description: "paint", quantity: "2", price: "40.5" },
    ],
    price: "240.5",
    currency: "EUR",
    deliveryDate: config.deliveryDate,
    penalty: { perDayLate: "10", cap: "25" },
  };
  const placed = await customer.create(CustomerOrder, order);
  report("order", { contractId: placed.contractId });

  const [agreementId] = await maker.exercise(CustomerOrder.AcceptOrder, placed.contractId, {});
  const [shippedId] = await maker.exercise(OrderAgreement.Ship, agreementId, { carrier: "DHL", reference: "JD9" });
  const [receivedId] = await customer.exercise(OrderAgreement.ConfirmDelivery, shippedId, {});
  const received = await customer.fetch(OrderAgreement, receivedId);
  assert.strictEqual(received.payload.receipt.daysLate, "0");
  report("delivered", { agreementId: receivedId });

  const alone = await refused(
    maker.create(Invoice, {
      invoiceId: `forged-${config.orderId}`,
      orderId: config.orderId,
      issuer: config.manufacturer,
      payer: config.customer,
      amount: "999999",
      currency: "USD",
      issuedAt: "2026-11-25T10:00:00Z",
      dueDate: config.dueDate,
    }),
  );
  assert.strictEqual(alone.status, 400);
  assert.ok(alone.errors.some((e) => e.includes("DAML_AUTHORIZATION_ERROR")), JSON.stringify(alone));
  report("forgedInvoice", { status: alone.status });

  const [invoiceId] = await maker.exercise(OrderAgreement.RaiseInvoice, receivedId, {
    invoiceId: `INV-${config.orderId}`,
    dueDate: config.dueDate,
  });
  const invoice = await customer.fetch(Invoice, invoiceId);
  assert.strictEqual(invoice.payload.amount, "240.5");
  report("invoice", { amount: invoice.payload.amount });

  const [claimId] = await customer.exercise(Invoice.ClaimPayment, invoiceId, { paymentRef: "SEPA-9" });
  const payer = await refused(customer.exercise(PaymentClaim.ConfirmPayment, claimId, {}));
  assert.strictEqual(payer.status, 400);
  assert.ok(payer.errors.some((e) => e.includes("DAML_AUTHORIZATION_ERROR")), JSON.stringify(payer));
  report("payerCannotConfirm", { status: payer.status });

  const [receiptId] = await maker.exercise(PaymentClaim.ConfirmPayment, claimId, {});
  const receipt = await customer.fetch(PaymentReceipt, receiptId);
  assert.strictEqual(receipt.payload.paymentRef, "SEPA-9");
  assert.strictEqual(receipt.payload.amount, "240.5");
  report("receipt", { paidAt: receipt.payload.paidAt });
}

main().then(
  () => report("done", {}),
  (error) => {
    report("failed", { message: String((error && error.stack) || JSON.stringify(error)) });
    process.exit(1);
  },
);

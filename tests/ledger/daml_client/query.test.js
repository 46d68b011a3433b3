// Digital Asset's own JSON API client (@daml/ledger 2.10.4) against a running `lso ledger serve`:
// the query language's comparison operators (Int64 range, Numeric, Date), a 400 for an unknown operator,
// and the events of createAndExercise (created + archived of the transient contract, then what the choice
// created), as Daml's JSON API answers them.
//
// Driven by tests/ledger/test_query.py: `node query.test.js` with the environment
//   LSO_QUERY_CONFIG = {"httpBaseUrl", "packageId", "customer", "manufacturer", "supplier",
//                       "customerToken", "bothToken", "orderDate", "supplyDate"}
// Prints one JSON line per step ({"step": ..., ...}) and exits 0 when every expectation held.
"use strict";

const jtv = require("@mojotech/json-type-validation");
const damlTypes = require("@daml/types");
const Ledger = require("@daml/ledger").default;

const config = JSON.parse(process.env.LSO_QUERY_CONFIG);
const MODULE = "LotSizeOne.Contract";

function template(entity) {
  const t = {
    templateId: `${config.packageId}:${MODULE}:${entity}`,
    sdkVersion: "2.10.4",
    keyDecoder: jtv.unknownJson(),
    keyEncode: (key) => key,
    decoder: jtv.unknownJson(),
    encode: (payload) => payload,
  };
  damlTypes.registerTemplate(t);
  return t;
}

const CustomerOrder = template("CustomerOrder");
template("OrderAgreement");
const AcceptOrder = {
  template: () => CustomerOrder,
  choiceName: "AcceptOrder",
  argumentDecoder: jtv.object({}),
  argumentEncode: () => ({}),
  resultDecoder: jtv.string(),
};
const SupplyProposal = template("SupplyProposal");
template("SupplyAgreement");
const AcceptSupply = {
  template: () => SupplyProposal,
  choiceName: "AcceptSupply",
  argumentDecoder: jtv.object({}),
  argumentEncode: () => ({}),
  resultDecoder: jtv.string(),
};

function report(step, details) {
  process.stdout.write(JSON.stringify({ step, ...details }) + "\n");
}

function fail(message) {
  report("failed", { message });
  process.exit(1);
}

function expect(condition, message) {
  if (!condition) fail(message);
}

function order(orderId, quantity, deliveryDate) {
  return {
    orderId,
    customer: config.customer,
    manufacturer: config.manufacturer,
    productId: "bike-42",
    quantity: String(quantity),
    items: [{ itemId: "bike", description: "bike", quantity: "1", price: "100.0" }],
    price: "100.0",
    currency: "EUR",
    deliveryDate,
    penalty: null,
  };
}

function entity(templateId) {
  return templateId.split(":").pop();
}

async function main() {
  const customer = new Ledger({ token: config.customerToken, httpBaseUrl: config.httpBaseUrl });
  for (let n = 1; n <= 4; n++) {
    await customer.create(CustomerOrder, order(`q-${n}`, n, `2027-0${n}-01`));
  }

  const range = await customer.query(CustomerOrder, {
    customer: config.customer,
    quantity: { "%gt": 1, "%lte": "3" },
  });
  const orderIds = range.map((c) => c.payload.orderId).sort();
  report("range", { orderIds });
  expect(JSON.stringify(orderIds) === JSON.stringify(["q-2", "q-3"]), `Int64 range gave ${orderIds}`);

  const dates = await customer.query(CustomerOrder, {
    customer: config.customer,
    deliveryDate: { "%gte": "2027-03-01" },
  });
  report("dateRange", { orderIds: dates.map((c) => c.payload.orderId).sort() });
  expect(dates.length === 2, `Date %gte gave ${dates.length}`);

  let status = null;
  try {
    await customer.query(CustomerOrder, { quantity: { "%between": [1, 2] } });
  } catch (err) {
    status = err.status;
    report("badOperator", { status, errors: err.errors });
  }
  expect(status === 400, `an unknown operator answered ${status}`);

  const both = new Ledger({ token: config.bothToken, httpBaseUrl: config.httpBaseUrl });
  // a supply agreement needs its order agreement: the customer orders, the manufacturer accepts
  const placed = await customer.create(CustomerOrder, order("q-supply", 1, config.orderDate));
  await both.exercise(AcceptOrder, placed.contractId, {});
  const terms = {
    orderId: "q-supply",
    manufacturer: config.manufacturer,
    supplier: config.supplier,
    items: [{ itemId: "frame", description: "frame", quantity: "1", price: "80.0" }],
    price: "80.0",
    currency: "EUR",
    deliveryDate: config.supplyDate,
    penalty: null,
  };
  const [result, events] = await both.createAndExercise(AcceptSupply, terms, {});
  const kinds = events.map((e) =>
    "created" in e ? `created:${entity(e.created.templateId)}` : `archived:${entity(e.archived.templateId)}`
  );
  report("createAndExercise", { result, events: kinds });
  const created = events.filter((e) => "created" in e).map((e) => e.created);
  const archived = events.filter((e) => "archived" in e).map((e) => e.archived);
  expect(created.length === 2 && archived.length === 1, `events ${kinds}`);
  expect(archived[0].contractId === created[0].contractId, "the archived contract is the one created");
  expect(created[1].contractId === result, "exerciseResult is the SupplyAgreement created");

  const cheap = await both.query(SupplyProposal, { price: { "%lt": "100" } });
  report("numeric", { count: cheap.length });
  expect(cheap.length === 0, "the transient SupplyProposal is not active");
  report("done", {});
}

main().catch((err) => fail(String(err && err.stack ? err.stack : JSON.stringify(err))));

// Digital Asset's own JSON API client (@daml/ledger 2.10.4) against a running `lso ledger serve`: contract keys.
// create (key on the created contract), exerciseByKey (AcceptOrder on the customer's order, Ship on the
// agreement), fetchByKey (stakeholder: the contract; outsider: null), a duplicate key refused with 409
// DUPLICATE_CONTRACT_KEY, archiveByKey freeing the key.
//
// Driven by tests/ledger/test_keys_daml_client.py: `node keys.test.js` with the environment
//   LSO_KEYS_CONFIG = {"httpBaseUrl", "packageId", "customer", "manufacturer", "orderId", "deliveryDate",
//                      "tokens": {"manufacturer", "customer", "both", "outsider"}}
// Prints one JSON line per step ({"step": ..., ...}) and exits 0 when every expectation held.
"use strict";

const assert = require("assert");
const jtv = require("@mojotech/json-type-validation");
const damlTypes = require("@daml/types");
const Ledger = require("@daml/ledger").default;

const config = JSON.parse(process.env.LSO_KEYS_CONFIG);

const item = jtv.object({
  itemId: jtv.string(),
  description: jtv.string(),
  quantity: jtv.string(),
  price: jtv.string(),
});
const orderTerms = {
  orderId: jtv.string(),
  customer: jtv.string(),
  manufacturer: jtv.string(),
  productId: jtv.string(),
  quantity: jtv.string(),
  items: jtv.array(item),
  price: jtv.string(),
  currency: jtv.string(),
  deliveryDate: jtv.string(),
  penalty: jtv.oneOf(jtv.constant(null), jtv.object({ perDayLate: jtv.string(), cap: jtv.unknownJson() })),
};
const agreementTerms = {
  ...orderTerms,
  agreedAt: jtv.string(),
  shipment: jtv.unknownJson(),
  receipt: jtv.unknownJson(),
  penaltyClaimed: jtv.boolean(),
  invoiceId: jtv.unknownJson(),
};
// data OrderKey = OrderKey with manufacturer : Party; orderId : Text
const orderKey = {
  decoder: jtv.object({ manufacturer: jtv.string(), orderId: jtv.string() }),
  encode: (key) => ({ manufacturer: key.manufacturer, orderId: key.orderId }),
};
// data CustomerOrderKey = CustomerOrderKey with customer : Party; orderId : Text
const customerOrderKey = {
  decoder: jtv.object({ customer: jtv.string(), orderId: jtv.string() }),
  encode: (key) => ({ customer: key.customer, orderId: key.orderId }),
};

// A template companion as `daml codegen js` writes it (only what @daml/ledger uses).
function template(entity, decoder, choices, key) {
  const t = {
    templateId: `${config.packageId}:LotSizeOne.Contract:${entity}`,
    sdkVersion: "2.10.4",
    keyDecoder: key.decoder,
    keyEncode: key.encode,
    decoder,
    encode: (payload) => payload,
  };
  for (const [name, resultDecoder] of Object.entries({ Archive: jtv.succeed({}), ...choices })) {
    t[name] = {
      template: () => t,
      choiceName: name,
      argumentDecoder: jtv.object({}),
      argumentEncode: (argument) => argument,
      resultDecoder,
    };
  }
  damlTypes.registerTemplate(t);
  return t;
}

const CustomerOrder = template(
  "CustomerOrder",
  jtv.object(orderTerms),
  { AcceptOrder: jtv.string() },
  customerOrderKey,
);
const OrderAgreement = template("OrderAgreement", jtv.object(agreementTerms), { Ship: jtv.string() }, orderKey);

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
  const maker = ledgerAs("manufacturer");
  const customer = ledgerAs("customer");
  const both = ledgerAs("both");
  const outsider = ledgerAs("outsider");
  const key = { manufacturer: config.manufacturer, orderId: config.orderId };
  const orderKeyOfCustomer = { customer: config.customer, orderId: config.orderId };
  const order = {
    orderId: config.orderId,
    customer: config.customer,
    manufacturer: config.manufacturer,
    productId: "bike-42",
    quantity: "1",
    items: [{ itemId: "bike-frame", description: "custom frame", quantity: "1", price: "120.5" }],
    price: "120.5",
    currency: "EUR",
    deliveryDate: config.deliveryDate,
    penalty: null,
  };
  const terms = {
    ...order,
    agreedAt: "2026-11-25T10:00:00Z",
    shipment: null,
    receipt: null,
    penaltyClaimed: false,
    invoiceId: null,
  };

  const placed = await customer.create(CustomerOrder, order);
  assert.deepStrictEqual(placed.key, orderKeyOfCustomer);
  report("create", { contractId: placed.contractId, key: placed.key });

  const [agreementId, acceptEvents] = await maker.exerciseByKey(CustomerOrder.AcceptOrder, orderKeyOfCustomer, {});
  const createdAgreement = acceptEvents.find((e) => "created" in e && e.created.contractId === agreementId);
  assert.ok(createdAgreement, "AcceptOrder by key reports the agreement's create");
  assert.deepStrictEqual(createdAgreement.created.key, key);
  report("exerciseByKey", { agreementId });

  const fetched = await customer.fetchByKey(OrderAgreement, key);
  assert.ok(fetched, "the customer fetches the agreement by key");
  assert.strictEqual(fetched.contractId, agreementId);
  assert.deepStrictEqual(fetched.key, key);
  assert.strictEqual(fetched.payload.orderId, config.orderId);
  assert.strictEqual(await outsider.fetchByKey(OrderAgreement, key), null);
  assert.strictEqual(await customer.fetchByKey(OrderAgreement, { ...key, orderId: `${config.orderId}-none` }), null);
  report("fetchByKey", { contractId: fetched.contractId, outsider: null });

  const [shippedId] = await maker.exerciseByKey(OrderAgreement.Ship, key, { carrier: "DHL", reference: "JD1" });
  const shipped = await customer.fetchByKey(OrderAgreement, key);
  assert.strictEqual(shipped.contractId, shippedId);
  assert.strictEqual(shipped.payload.shipment.carrier, "DHL");
  report("ship", { shippedId });

  const duplicate = await refused(both.create(OrderAgreement, terms));
  assert.strictEqual(duplicate.status, 409);
  assert.ok(duplicate.errors.some((e) => e.includes("DUPLICATE_CONTRACT_KEY")), JSON.stringify(duplicate));
  report("duplicate", { status: duplicate.status, errors: duplicate.errors });

  const hidden = await refused(outsider.exerciseByKey(OrderAgreement.Archive, key, {}));
  assert.strictEqual(hidden.status, 404);
  assert.ok(hidden.errors.some((e) => e.includes("CONTRACT_KEY_NOT_FOUND")), JSON.stringify(hidden));
  report("hidden", { status: hidden.status });

  await both.archiveByKey(OrderAgreement, key);
  assert.strictEqual(await customer.fetchByKey(OrderAgreement, key), null);
  const again = await both.create(OrderAgreement, terms);
  assert.notStrictEqual(again.contractId, shippedId);
  report("archiveByKey", { recreated: again.contractId });
}

main().then(
  () => report("done", {}),
  (error) => {
    report("failed", { message: String((error && error.stack) || JSON.stringify(error)) });
    process.exit(1);
  },
);

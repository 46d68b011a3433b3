// Digital Asset's own JSON API client (@daml/ledger 2.10.4) against a running `lso ledger serve`:
// streamQueries / streamQuery / streamFetchByKeys (single and multiplexed WebSockets), then a bad token.
//
// Driven by tests/ledger/test_streams/test_daml_client.py: `node streams.test.js` with the environment
//   LSO_STREAMS_CONFIG = {"httpBaseUrl", "wsBaseUrl", "token", "badToken", "packageId", "customer",
//                         "manufacturer", "unique"}
// Prints one JSON line per step ({"step": ..., ...}) and exits 0 when every expectation held.
"use strict";

const jtv = require("@mojotech/json-type-validation");
const damlTypes = require("@daml/types");
const Ledger = require("@daml/ledger").default;

const config = JSON.parse(process.env.LSO_STREAMS_CONFIG);
const STEP_TIMEOUT_MS = 8000;

const CustomerOrder = {
  templateId: `${config.packageId}:LotSizeOne.Contract:CustomerOrder`,
  sdkVersion: "2.10.4",
  keyDecoder: jtv.object({ customer: jtv.string(), orderId: jtv.string() }),
  keyEncode: (key) => ({ customer: key.customer, orderId: key.orderId }),
  decoder: jtv.object({
    orderId: jtv.string(),
    customer: jtv.string(),
    manufacturer: jtv.string(),
    productId: jtv.string(),
    quantity: jtv.string(),
    items: jtv.unknownJson(),
    price: jtv.string(),
    currency: jtv.string(),
    deliveryDate: jtv.string(),
    penalty: jtv.unknownJson(),
  }),
  encode: (payload) => payload,
};
CustomerOrder.Archive = {
  template: () => CustomerOrder,
  choiceName: "Archive",
  argumentDecoder: jtv.object({}),
  argumentEncode: () => ({}),
  resultDecoder: jtv.succeed({}),
};
damlTypes.registerTemplate(CustomerOrder);

function order(orderId) {
  return {
    orderId,
    customer: config.customer,
    manufacturer: config.manufacturer,
    productId: "bike-42",
    quantity: "1",
    items: [{ itemId: "bike-frame", description: "custom frame", quantity: "1", price: "120.5" }],
    price: "120.5",
    currency: "EUR",
    deliveryDate: "2027-03-01",
    penalty: null,
  };
}

function report(step, details) {
  process.stdout.write(JSON.stringify({ step, ...details }) + "\n");
}

function fail(message) {
  report("failed", { message });
  process.exit(1);
}

// Resolves with the first `type` event of `stream` whose state satisfies `accept`.
function next(stream, type, accept, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${type}: ${what}`)), STEP_TIMEOUT_MS);
    const listener = (state, events) => {
      if (accept(state, events)) {
        clearTimeout(timer);
        stream.off(type, listener);
        resolve({ state, events });
      }
    };
    stream.on(type, listener);
  });
}

const ids = (contracts) => contracts.map((c) => c.payload.orderId).sort();

async function queryStream(ledger, label, open) {
  const pre = await ledger.create(CustomerOrder, order(`${label}-pre-${config.unique}`));
  const stream = open();
  const live = await next(stream, "live", () => true, "live");
  if (!live.state.some((c) => c.contractId === pre.contractId)) {
    fail(`${label}: the live state lacks the existing contract: ${JSON.stringify(ids(live.state))}`);
  }
  report(`${label}:live`, { orders: ids(live.state).filter((o) => o.includes(config.unique)) });
  const changed = next(stream, "change", (s) => s.some((c) => c.payload.orderId === `${label}-new-${config.unique}`), "create");
  const created = await ledger.create(CustomerOrder, order(`${label}-new-${config.unique}`));
  const afterCreate = await changed;
  report(`${label}:created`, { events: afterCreate.events.map((e) => Object.keys(e)[0]) });
  const archivedWait = next(stream, "change", (s) => !s.some((c) => c.contractId === pre.contractId), "archive");
  await ledger.archive(CustomerOrder, pre.contractId);
  const afterArchive = await archivedWait;
  const kinds = afterArchive.events.map((e) => Object.keys(e)[0]);
  if (!kinds.includes("archived")) fail(`${label}: no archived event: ${JSON.stringify(afterArchive.events)}`);
  report(`${label}:archived`, { events: kinds, remaining: ids(afterArchive.state).filter((o) => o.includes(config.unique)) });
  stream.close();
  await ledger.archive(CustomerOrder, created.contractId);
}

async function fetchByKeys(ledger) {
  const first = await ledger.create(CustomerOrder, order(`keys-a-${config.unique}`));
  const keys = [
    { customer: config.customer, orderId: `keys-a-${config.unique}` },
    { customer: config.customer, orderId: `keys-b-${config.unique}` },
  ];
  const stream = ledger.streamFetchByKeys(CustomerOrder, keys);
  const live = await next(stream, "live", () => true, "live");
  if (!live.state[0] || live.state[0].contractId !== first.contractId || live.state[1] !== null) {
    fail(`streamFetchByKeys: live state ${JSON.stringify(live.state)}`);
  }
  report("fetchByKeys:live", { present: live.state.map((c) => c !== null) });
  const createdWait = next(stream, "change", (s) => s[1] !== null, "create of key b");
  await ledger.create(CustomerOrder, order(`keys-b-${config.unique}`));
  await createdWait;
  const archivedWait = next(stream, "change", (s) => s[0] === null, "archive of key a");
  await ledger.archive(CustomerOrder, first.contractId);
  const after = await archivedWait;
  report("fetchByKeys:archived", { present: after.state.map((c) => c !== null) });
  stream.close();
}

function badToken() {
  const ledger = new Ledger({ token: config.badToken, httpBaseUrl: config.httpBaseUrl, wsBaseUrl: config.wsBaseUrl });
  const stream = ledger.streamQuery(CustomerOrder);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no close for a bad token")), STEP_TIMEOUT_MS);
    stream.on("close", (status) => {
      clearTimeout(timer);
      report("badToken:closed", { code: status.code, reason: status.reason });
      resolve();
    });
  });
}

async function main() {
  const base = { token: config.token, httpBaseUrl: config.httpBaseUrl, wsBaseUrl: config.wsBaseUrl };
  const ledger = new Ledger(base);
  await queryStream(ledger, "streamQueries", () =>
    ledger.streamQueries(CustomerOrder, [{ customer: config.customer }, { orderId: "no-such-order" }]),
  );
  await queryStream(ledger, "streamQuery", () => ledger.streamQuery(CustomerOrder, { customer: config.customer }));
  const multiplexed = new Ledger({ ...base, multiplexQueryStreams: true });
  await queryStream(multiplexed, "multiplexed", () =>
    multiplexed.streamQueries(CustomerOrder, [{ customer: config.customer }, { quantity: { "%gte": 1 } }]),
  );
  await fetchByKeys(ledger);
  await badToken();
  report("done", {});
  process.exit(0);
}

main().catch((err) => fail(String(err && err.stack ? err.stack : err)));

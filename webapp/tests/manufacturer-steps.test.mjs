import { test } from "node:test";
import assert from "node:assert/strict";
import {
  waitingSteps, checkReason, checkShipment, shipmentFacts, REASON_MAX, NAME_MAX,
} from "../js/logic/manufacturer-steps.js";

const MANUAL = { auto_receive_parts: false, auto_ship: false };
const AUTO = { auto_receive_parts: true, auto_ship: true };

test("a contracted order waits for the parts only when the policy does not confirm them by itself", () => {
  assert.deepEqual(waitingSteps({ status: "contracted" }, MANUAL), { confirmParts: true, startProduction: true, ship: false });
  assert.deepEqual(waitingSteps({ status: "contracted" }, AUTO), { confirmParts: false, startProduction: true, ship: false });
  // a policy without the flag: the default (on)
  assert.equal(waitingSteps({ status: "contracted" }, { auto_ship: false }).confirmParts, false);
});

test("a paid order waits for shipping only when the policy does not ship by itself", () => {
  assert.deepEqual(waitingSteps({ status: "paid" }, MANUAL), { confirmParts: false, startProduction: false, ship: true });
  assert.deepEqual(waitingSteps({ status: "paid" }, AUTO), { confirmParts: false, startProduction: false, ship: false });
  assert.equal(waitingSteps({ status: "paid" }, { auto_receive_parts: false }).ship, false);
});

test("other statuses wait for none of these steps, whatever the policy", () => {
  for (const status of ["received", "accepted", "in_production", "produced", "invoiced", "shipped", "delivered", "failed"]) {
    assert.deepEqual(waitingSteps({ status }, MANUAL), { confirmParts: false, startProduction: false, ship: false }, status);
  }
  assert.deepEqual(waitingSteps(null, MANUAL), { confirmParts: false, startProduction: false, ship: false });
});

test("with the policy unknown the buttons show (the agent says when it does not wait)", () => {
  assert.deepEqual(waitingSteps({ status: "contracted" }, null), { confirmParts: true, startProduction: true, ship: false });
  assert.equal(waitingSteps({ status: "paid" }, undefined).ship, true);
});

test("the reason to start production early is required, trimmed and bounded", () => {
  assert.deepEqual(checkReason("  tubes in stock \n"), { reason: "tubes in stock", error: "" });
  assert.match(checkReason("").error, /Say why/);
  assert.match(checkReason("   ").error, /Say why/);
  assert.match(checkReason(undefined).error, /Say why/);
  assert.equal(checkReason("x".repeat(REASON_MAX)).error, "");
  assert.match(checkReason("x".repeat(REASON_MAX + 1)).error, /2000 characters/);
});

test("a shipment needs a carrier and a tracking reference, trimmed and bounded", () => {
  assert.deepEqual(checkShipment(" DHL ", " 1Z999 "), { value: { carrier: "DHL", reference: "1Z999" }, errors: {} });
  const blank = checkShipment("", "  ");
  assert.match(blank.errors.carrier ?? "", /carrier/);
  assert.match(blank.errors.reference ?? "", /tracking reference/);
  assert.deepEqual(Object.keys(checkShipment("DHL", "").errors), ["reference"]);
  const long = checkShipment("c".repeat(NAME_MAX + 1), "r".repeat(NAME_MAX));
  assert.match(long.errors.carrier ?? "", /200 characters/);
  assert.equal(long.errors.reference, undefined);
});

test("the shipment and a moved delivery date come from the order's events, newest first", () => {
  const order = { id: "o1", status: "shipped", quotation: { delivery_date: "2027-03-11" }, history: [] };
  const events = [
    { order_id: "o1", status: "contracted", delivery_date: "2027-03-13", note: "late part" },
    { order_id: "o1", status: "contracted", delivery_date: "2027-03-14T00:00:00", note: "later part" },
    { order_id: "o2", status: "shipped", carrier: "UPS", reference: "other order" },
    { order_id: "o1", status: "shipped", carrier: "DHL", reference: "1Z999AA10123456784" },
  ];
  assert.deepEqual(shipmentFacts(order, events), {
    shipped: "Shipped with DHL, reference 1Z999AA10123456784",
    deliveryDate: "2027-03-14",
    deliveryNote: "Delivery moved to 14 March 2027 (quoted: 11 March 2027)",
  });
});

test("without a shipment event the agent's words in the history say how it shipped", () => {
  const order = {
    id: "o1",
    status: "delivered",
    history: [
      { from_status: "paid", to_status: "shipped", note: "Shipped with DHL, reference 1Z9" },
      { from_status: "shipped", to_status: "shipped", note: "a remark" },
      { from_status: "shipped", to_status: "delivered", note: "Delivered on 14 March 2027" },
    ],
  };
  assert.deepEqual(shipmentFacts(order, []), { shipped: "Shipped with DHL, reference 1Z9", deliveryDate: "", deliveryNote: "" });
  assert.equal(shipmentFacts({ ...order, history: [{ from_status: "paid", to_status: "shipped", note: "" }] }, null).shipped, "Shipped");
  assert.deepEqual(shipmentFacts({ id: "o1", status: "paid", history: [] }, []), { shipped: "", deliveryDate: "", deliveryNote: "" });
});

test("a delivery date moved to the quoted date names no quoted date", () => {
  const order = { id: "o1", quotation: { delivery_date: "2027-03-11" } };
  assert.equal(shipmentFacts(order, [{ order_id: "o1", delivery_date: "2027-03-11" }]).deliveryNote, "Delivery moved to 11 March 2027");
  assert.equal(shipmentFacts({ id: "o1" }, [{ delivery_date: "2027-03-12" }]).deliveryNote, "Delivery moved to 12 March 2027");
});

test("without a shipment event the history's shipped event names the carrier and the reference", () => {
  const order = {
    id: "o1",
    status: "shipped",
    history: [{
      from_status: "paid",
      to_status: "shipped",
      note: "Shipped with UPS, reference LSO-1042.",
      event: "shipped",
      params: { carrier: "UPS", reference: "LSO-1042" },
    }],
  };
  assert.equal(shipmentFacts(order, []).shipped, "Shipped with UPS, reference LSO-1042");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  EVENTS,
  REASONS,
  STATUS_SENTENCES,
  eventSentence,
  orderName,
  readableNote,
  timelineEntries,
} from "../js/logic/timeline.js";

const order = {
  id: "o1",
  created_at: "2026-12-02T00:07:13.224Z",
  history: [
    { from_status: "received", to_status: "accepted", at: "2026-12-02T00:07:13.328Z", actor: "m", note: "ok" },
    { from_status: "accepted", to_status: "sourcing", at: "2026-12-02T00:07:13.357Z", actor: "m", note: "" },
  ],
};

const event = (id, status, at, extra = {}) => ({
  id,
  order_id: "o1",
  kind: "status",
  status,
  at,
  note: "",
  price: null,
  currency: null,
  progress: null,
  ...extra,
});

test("the history, after a synthetic 'placed' entry, oldest first", () => {
  const entries = timelineEntries(order);
  assert.deepEqual(
    entries.map((e) => [e.status, e.live]),
    [
      ["received", false],
      ["accepted", false],
      ["sourcing", false],
    ],
  );
  assert.equal(entries[0].sentence, "The order was placed.");
  assert.equal(entries[1].sentence, "The manufacturer accepted the order.", "a bare note is not shown");
  assert.equal(entries[1].actor, "m");
});

test("no synthetic entry when the history has the received status", () => {
  const withReceived = {
    ...order,
    history: [{ from_status: "", to_status: "received", at: order.created_at, actor: "", note: "" }],
  };
  assert.equal(timelineEntries(withReceived).length, 1);
});

test("events the history already holds are not repeated, but add their price", () => {
  const events = [
    event("1", "received", "2026-12-02T00:07:13.319Z"),
    event("2", "accepted", "2026-12-02T00:07:13.342Z"),
  ];
  const entries = timelineEntries(order, events);
  assert.equal(entries.length, 3);
  assert.ok(entries.every((e) => !e.live));
});

test("newer events show as live entries with price and progress", () => {
  const events = [
    event("5", "quoted", "2026-12-02T00:07:14Z", { kind: "quotation", price: "1089.94", currency: "EUR" }),
    event("4", "negotiating", "2026-12-02T00:07:13.5Z"),
    event("6", "in_production", "2026-12-02T00:08:00Z", { progress: 40 }),
    event("6", "in_production", "2026-12-02T00:08:00Z", { progress: 40 }),
    { ...event("7", "paid", "2026-12-02T00:09:00Z"), order_id: "other" },
  ];
  const entries = timelineEntries(order, events);
  assert.deepEqual(
    entries.map((e) => e.status),
    ["received", "accepted", "sourcing", "negotiating", "quoted", "in_production"],
  );
  const quoted = entries[4];
  assert.equal(quoted.live, true);
  assert.equal(quoted.price, "1089.94");
  assert.equal(quoted.currency, "EUR");
  assert.equal(entries[5].progress, 40);
});

test("a refetched history absorbs the live entry and keeps the event's price", () => {
  const later = {
    ...order,
    history: [
      ...order.history,
      {
        from_status: "negotiating",
        to_status: "quoted",
        at: "2026-12-02T00:07:13.758Z",
        actor: "m",
        note: "Quotation: €1,089.94, delivered on 4 January 2027.",
        event: "quotation-sent",
        params: { total: "1089.94", currency: "EUR", delivery_date: "2027-01-04" },
      },
    ],
  };
  const events = [
    event("5", "quoted", "2026-12-02T00:07:13.767Z", { kind: "quotation", price: "1089.94", currency: "EUR" }),
  ];
  const entries = timelineEntries(later, events);
  assert.equal(entries.length, 4);
  assert.equal(entries[3].live, false);
  assert.equal(entries[3].price, "1089.94");
  assert.equal(entries[3].sentence, "Quotation: €1,089.94, delivered on 4 Jan 2027.");
});

test("an event far from the history entry of the same status is a separate entry", () => {
  const events = [event("9", "sourcing", "2026-12-02T01:00:00Z")];
  assert.equal(timelineEntries(order, events).length, 4);
});

test("order names", () => {
  assert.equal(orderName({ number: 1042 }), "Order 1042");
  assert.equal(orderName({ id: "92bb1b80-efc5-450b" }), "Order", "never the id");
});

test("long identifiers in notes are shortened", () => {
  assert.equal(
    readableNote("quotation ffcd9c1b-816f-496b-a5de-3c94d9951a7a accepted"),
    "quotation ffcd9c1b accepted",
  );
  assert.equal(
    readableNote("contracts 007cd83a08e94cd5c081bed8bea8c5db04dc5901d340ba3c718d6b4c7ad133ceaa, 00c5"),
    "contracts 007cd83a08…, 00c5",
  );
  assert.equal(readableNote(""), "");
});

test("every event is told in words from its parameters", () => {
  const said = (event, params, status = "accepted") => eventSentence({ status, event, params });
  assert.equal(
    said("accepted", { earliest_delivery: "2027-01-04" }),
    "The manufacturer accepted the order; the earliest delivery is 4 Jan 2027.",
  );
  assert.equal(said("sourcing", { parts: 1 }), "Looking for suppliers for 1 part.");
  assert.equal(said("negotiating", { parts: 3 }), "Agreeing prices and dates with suppliers for 3 parts.");
  assert.equal(said("counter-offer", { price: "950.5", currency: "EUR" }), "Counter-offer: €950.50.");
  assert.equal(said("part-late", { days: 1 }), "A part arrived 1 day late.");
  assert.equal(said("production-progress", { percent: 40, note: "" }), "Production is 40 % done.");
  assert.equal(said("production-progress", { percent: 40, note: "frame welded" }), "Production is 40 % done. frame welded");
  assert.equal(
    said("delivered-late-penalty", { date: "2030-06-23", days: 3, penalty: "15", currency: "EUR" }),
    "Delivered on 23 Jun 2030, 3 days late; the customer may claim a penalty of €15.00.",
  );
  assert.equal(said("failed", { reason: "no-supplier" }, "failed"), "The order stopped: no supplier makes one of the parts.");
  assert.equal(said("failed", { reason: "x-7f3a" }, "failed"), "The order stopped: something went wrong.");
});

test("an unknown event, or one missing a parameter, falls back to the status in words", () => {
  assert.equal(eventSentence({ status: "quoted", event: "quotation-sent", params: {} }), "A quotation was sent.");
  assert.equal(eventSentence({ status: "contracted", event: "from-the-future", params: {} }), "The agreement is signed.");
  assert.equal(eventSentence({ status: "on_hold", event: null, params: null }), "The order moved on.");
});

test("no sentence of the vocabulary holds an id, a hash, minutes or a protocol word", () => {
  const forbidden = /[0-9a-f]{8}-|[0-9a-f]{16}|\bmin\b|propose|inform|cfp|round|performative/i;
  for (const text of [...Object.values(EVENTS), ...Object.values(REASONS), ...Object.values(STATUS_SENTENCES)]) {
    assert.doesNotMatch(text, forbidden, text);
  }
});

test("a live event carries its words until the history holds it", () => {
  const events = [
    event("8", "shipped", "2026-12-03T00:00:00Z", {
      event: "shipped",
      params: { carrier: "DHL", reference: "1Z999" },
      note: "internal words never shown",
    }),
  ];
  const entries = timelineEntries(order, events);
  assert.equal(entries.at(-1).sentence, "Shipped with DHL, reference 1Z999.");
});

test("a negotiation message is not a step of the timeline", () => {
  const message = { ...event("m1", "negotiating", "2026-12-02T02:00:00Z"), kind: "negotiation-message" };
  assert.equal(timelineEntries(order, [message]).length, 3);
});

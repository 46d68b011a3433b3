import { test } from "node:test";
import assert from "node:assert/strict";
import { timelineEntries, statusTone, shortId, readableNote } from "../js/logic/timeline.js";

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
  assert.equal(entries[0].note, "Order placed");
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
      { from_status: "negotiating", to_status: "quoted", at: "2026-12-02T00:07:13.758Z", actor: "m", note: "round 1" },
    ],
  };
  const events = [
    event("5", "quoted", "2026-12-02T00:07:13.767Z", { kind: "quotation", price: "1089.94", currency: "EUR" }),
  ];
  const entries = timelineEntries(later, events);
  assert.equal(entries.length, 4);
  assert.equal(entries[3].live, false);
  assert.equal(entries[3].price, "1089.94");
  assert.equal(entries[3].note, "round 1");
});

test("an event far from the history entry of the same status is a separate entry", () => {
  const events = [event("9", "sourcing", "2026-12-02T01:00:00Z")];
  assert.equal(timelineEntries(order, events).length, 4);
});

test("tones and short ids", () => {
  assert.equal(statusTone("declined"), "danger");
  assert.equal(statusTone("paid"), "success");
  assert.equal(statusTone("quoted"), "attention");
  assert.equal(statusTone("sourcing"), "progress");
  assert.equal(shortId("92bb1b80-efc5-450b"), "92bb1b80");
  assert.equal(shortId(undefined), "");
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

import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeTranscript, lastPosition, liveTranscript } from "../js/components/transcript.js";

/** @param {number} position @param {string} conversation @param {string} performative @param {string} [content] */
const msg = (position, conversation, performative, content = `{"n": ${position}}`) => ({
  position, conversation_id: conversation, protocol: conversation === "order" ? "lso-order" : "fipa-contract-net",
  performative, sender: "maker@localhost", receivers: [conversation === "order" ? "customers@localhost" : "sup@localhost"],
  in_reply_to: null, at: "2026-12-01T10:00:00Z", content, decoded: null,
});

const held = () => ({
  order_id: "o1",
  conversations: [{ conversation_id: "order", protocol: "lso-order", participants: ["maker@localhost", "customers@localhost"],
    messages: [msg(1, "order", "cfp"), msg(5, "order", "propose")] }],
});

test("a message is appended to its conversation in position order, once", () => {
  const before = held();
  const merged = mergeTranscript(before, [msg(7, "order", "inform"), msg(3, "order", "agree")]);
  assert.deepEqual(merged.conversations[0].messages.map((m) => m.position), [1, 3, 5, 7]);
  assert.equal(before.conversations[0].messages.length, 2, "the held transcript is not changed");
  const again = mergeTranscript(merged, [msg(7, "order", "inform")]);
  assert.equal(again.conversations[0].messages.length, 4);
});

test("another copy of a held message (another position) is not a new message", () => {
  const copy = { ...msg(5, "order", "propose"), position: 6, at: "2026-12-01T10:00:01Z" };
  assert.equal(mergeTranscript(held(), [copy]).conversations[0].messages.length, 2);
});

test("a held position is the same message, however its content reads", () => {
  const reworded = msg(5, "order", "propose", '{"n": 5, "note": "in neutral words"}');
  assert.equal(mergeTranscript(held(), [reworded]).conversations[0].messages.length, 2);
});

test("a new conversation comes last with its participants and protocol", () => {
  const merged = mergeTranscript(held(), [msg(8, "sourcing", "cfp"), msg(9, "sourcing", "propose")]);
  assert.equal(merged.conversations.length, 2);
  const [, sourcing] = merged.conversations;
  assert.equal(sourcing.conversation_id, "sourcing");
  assert.equal(sourcing.protocol, "fipa-contract-net");
  assert.deepEqual(sourcing.participants, ["maker@localhost", "sup@localhost"]);
  assert.equal(merged.order_id, "o1");
});

test("the last position is the newest message held, null when none", () => {
  assert.equal(lastPosition(held()), 5);
  assert.equal(lastPosition({ order_id: "o1", conversations: [] }), null);
  assert.equal(lastPosition(null), null);
});

test("the live transcript fetches once, appends events, and catches up after a reconnect", async () => {
  /** @type {(number | null)[]} */
  const fetched = [];
  /** @type {((event: any) => void)[]} */
  const messageFns = [];
  /** @type {(() => void)[]} */
  const reconnectFns = [];
  /** @type {any[]} */
  const shown = [];
  const bodies = new Map([[null, held()], [9, { order_id: "o1", conversations: [
    { conversation_id: "order", protocol: "lso-order", participants: [], messages: [msg(9, "order", "inform"), msg(11, "order", "confirm")] },
  ] }]]);
  const live = liveTranscript({
    orderId: "o1",
    fetch: async (after) => {
      fetched.push(after);
      return bodies.get(after);
    },
    onMessage: (fn) => {
      messageFns.push(fn);
      return () => messageFns.splice(messageFns.indexOf(fn), 1);
    },
    onReconnect: (fn) => {
      reconnectFns.push(fn);
      return () => reconnectFns.splice(reconnectFns.indexOf(fn), 1);
    },
    onChange: (transcript) => shown.push(transcript),
  });
  // an event before the first transcript arrived is kept and merged into it
  messageFns[0]({ kind: "negotiation-message", order_id: "o1", message: msg(9, "order", "inform") });
  await live.ready;
  assert.deepEqual(fetched, [null]);
  assert.deepEqual(live.current().conversations[0].messages.map((/** @type {any} */ m) => m.position), [1, 5, 9]);

  messageFns[0]({ kind: "negotiation-message", order_id: "other", message: msg(10, "order", "inform") });
  messageFns[0]({ kind: "negotiation-message", order_id: "o1", message: msg(5, "order", "propose") });
  assert.equal(shown.length, 1, "another order's message and a held one change nothing");

  reconnectFns[0]();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(fetched, [null, 9], "after a gap: only what followed the newest message held");
  assert.deepEqual(live.current().conversations[0].messages.map((/** @type {any} */ m) => m.position), [1, 5, 9, 11]);
  assert.equal(shown.length, 2);

  live.stop();
  assert.equal(messageFns.length, 0);
  assert.equal(reconnectFns.length, 0);
});

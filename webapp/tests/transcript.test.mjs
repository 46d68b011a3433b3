import { test } from "node:test";
import assert from "node:assert/strict";
import {
  agentName,
  conversationTitle,
  lastPosition,
  liveTranscript,
  mergeTranscript,
  performativeWords,
  summarise,
  transcriptContext,
  transcriptWords,
} from "../js/components/transcript.js";
import { REASONS, SOME_REASON, eventSentence } from "../js/logic/timeline.js";
import { supplierDirectory } from "../js/logic/offers.js";
import { rememberProducts } from "../js/core/products.js";

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

// ------------------------------------------------------------------------------------------- words

const ORDER_ID = "0f8e6c0a-4b4e-4a8b-9a59-0c1d2e3f4a5b";
const QUOTATION_ID = "a4d5cf55-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
const OFFER_ID = "1234abcd-5678-4e5f-8a9b-0c1d2e3f4a5b";
const INVOICE_ID = "2b0543df-aaaa-4bbb-8ccc-0d1e2f3a4b5c";
const CONTRACT_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const CUSTOMER = "customers@localhost";
const MAKER = "manufacturer@localhost";
const BRANDT = "suppliers@localhost/SUP-0073";
const UNNAMED = "suppliers@localhost/SUP-0999";

/** UUIDs, id prefixes and hashes: 8 or more hex characters in a row. */
const ID_LIKE = /[0-9a-f]{8}-[0-9a-f]{4}-|\b[0-9a-f]{8,}\b/i;
/** Words of the wire people do not read. */
const JARGON = /customers@|manufacturer@|suppliers@|matchmaker@|SUP-\d|\bcfp\b|\bpropose\b|accept-proposal|reject-proposal|fipa|demo-cabinet|in_production|[“"]in production[”"]|Reason:/i;
/** Reason codes (the one-word ones, such as "refused", are words too). */
const REASON_CODE = new RegExp(`\\b(${Object.keys(REASONS).filter((code) => code.includes("-")).join("|")})\\b`);

/** @param {string} text @param {string} [what] */
function assertReadable(text, what = text) {
  assert.doesNotMatch(text, ID_LIKE, `${what}: no ids`);
  assert.doesNotMatch(text, JARGON, `${what}: no wire words`);
  assert.doesNotMatch(text, REASON_CODE, `${what}: no reason codes`);
}

const candidates = {
  type: "SupplierCandidates",
  data: { order_id: ORDER_ID, candidates: [
    { part_id: "side-panel", suppliers: [
      { id: "SUP-0073", name: "Brandt Metallbau", location: { country: "DE" }, rating: 4.6 },
      { id: "SUP-0999", name: "", location: { country: "FR" } },
    ] },
    { part_id: "door-hinge", suppliers: [] },
  ] },
};
const manufacturerContext = { audience: /** @type {const} */ ("manufacturer"),
  suppliers: supplierDirectory({ conversations: [{ messages: [{ decoded: candidates }] }] }),
  parts: { "side-panel": "Side panel, birch plywood" } };
const customerContext = { audience: /** @type {const} */ ("customer") };

/** Each content type: its decoded content, the context it is read in, and words its summary holds. */
const CASES = [
  ["Order", { type: "Order", data: { id: ORDER_ID, customer_id: "c-1", manufacturer_id: "m1", product_id: "demo-cabinet",
    quantity: 2, delivery_date: "2026-12-17" } }, customerContext, ["Order for 2 pieces of Configurable cabinet", "17 Dec 2026"]],
  ["Quotation", { type: "Quotation", data: { id: QUOTATION_ID, order_id: ORDER_ID, round: 1, currency: "EUR",
    lines: [{ part_id: "demo-cabinet", price: "1144.36" }], total_price: "1144.36", delivery_date: "2026-12-17" } },
  customerContext, ["Quotation: €1,144.36 in total, delivery by 17 Dec 2026."]],
  ["AcceptQuotation", { type: "AcceptQuotation", data: { order_id: ORDER_ID, quotation_id: QUOTATION_ID,
    customer_order_contract_id: CONTRACT_ID } }, customerContext, ["The quotation was accepted."]],
  ["DeclineQuotation", { type: "DeclineQuotation", data: { order_id: ORDER_ID, quotation_id: QUOTATION_ID,
    reason: "infeasible-delivery-date" } }, customerContext, ["The quotation was declined: the delivery date cannot be met."]],
  ["CounterOffer", { type: "CounterOffer", data: { order_id: ORDER_ID, quotation_id: QUOTATION_ID, price: "1000",
    delivery_date: "2026-12-20", note: `see ${QUOTATION_ID}` } }, customerContext, ["Counter-offer: €1,000.00, delivery by 20 Dec 2026."]],
  ["Reason", { type: "Reason", data: { reason: "infeasible-delivery-date", detail: `order ${ORDER_ID} too soon` } },
    customerContext, ["The delivery date cannot be met."]],
  ["Invoice", { type: "Invoice", data: { id: INVOICE_ID, order_id: ORDER_ID, issuer: "m1", payer: "c-1", total: "1144.36",
    currency: "EUR", due_date: "2027-01-06", status: "issued", contract_id: CONTRACT_ID } }, customerContext,
  ["Invoice of €1,144.36, due 6 Jan 2027."]],
  ["Payment", { type: "Payment", data: { id: OFFER_ID, invoice_id: INVOICE_ID, amount: "1144.36", method: "bank-transfer",
    reference: INVOICE_ID } }, customerContext, ["Payment of €1,144.36 by bank transfer."]],
  ["OrderStatusNotice (event)", { type: "OrderStatusNotice", data: { order_id: ORDER_ID, status: "failed",
    note: `failed: ${CONTRACT_ID}`, event: { event: "failed", params: { reason: "network-too-late" } } } },
  customerContext, ["The order stopped: the parts would arrive too late."]],
  ["OrderStatusNotice (status)", { type: "OrderStatusNotice", data: { order_id: ORDER_ID, status: "in_production",
    note: `contract ${CONTRACT_ID}`, progress: 40 } }, customerContext, ["In production", "40 % done"]],
  ["ContractCommitted (customer)", { type: "ContractCommitted", data: { order_id: ORDER_ID, order_contract_id: CONTRACT_ID } },
    customerContext, ["The agreement is signed."]],
  ["ContractCommitted (manufacturer)", { type: "ContractCommitted", data: { order_id: ORDER_ID, order_contract_id: CONTRACT_ID,
    supply_contracts: [{ supplier_id: "SUP-0073", contract_id: CONTRACT_ID }, { supplier_id: "SUP-0999", contract_id: CONTRACT_ID }] } },
  manufacturerContext, ["The agreement is signed, with 2 supply agreements."]],
  ["CallForProposals", { type: "CallForProposals", data: { order_id: ORDER_ID, round: 2, delivery_date: "2026-12-14",
    target_price: "80", part: { part_id: "side-panel", process: "laser-cutting", description: "Side panel, birch plywood" } } },
  manufacturerContext, ["Round 2", "Side panel, birch plywood", "laser cutting", "14 Dec 2026", "€80.00"]],
  ["Offer", { type: "Offer", data: { id: OFFER_ID, order_id: ORDER_ID, part_id: "side-panel", supplier_id: "SUP-0073",
    round: 2, price: "73.41", delivery_date: "2026-12-14", quality: "standard" } }, manufacturerContext,
  ["Round 2: Brandt Metallbau offers Side panel, birch plywood for €73.41, delivered 14 Dec 2026."]],
  ["Offer (unknown supplier and part)", { type: "Offer", data: { id: OFFER_ID, order_id: ORDER_ID, part_id: "door-hinge",
    supplier_id: "SUP-0999", round: 1, price: "5", delivery_date: "2026-12-14" } }, manufacturerContext,
  ["Round 1: a supplier offers door hinge for €5.00"]],
  ["AcceptOffer", { type: "AcceptOffer", data: { order_id: ORDER_ID, offer_id: OFFER_ID } }, manufacturerContext,
    ["The offer was accepted."]],
  ["RejectOffer", { type: "RejectOffer", data: { order_id: ORDER_ID, offer_id: OFFER_ID, reason: "network-too-late" } },
    manufacturerContext, ["The offer was rejected: the parts would arrive too late."]],
  ["Reason (manufacturer)", { type: "Reason", data: { reason: "no-supplier", detail: "no supplier found through EFPF" } },
    manufacturerContext, ["No supplier makes one of the parts (no supplier found through EFPF)."]],
  ["Reason (manufacturer, detail with an id)", { type: "Reason", data: { reason: "agreement-conflict",
    detail: `contract ${CONTRACT_ID} differs` } }, manufacturerContext, ["The agreement on the ledger differs from the order."]],
  ["FindSuppliers", { type: "FindSuppliers", data: { order_id: ORDER_ID, parts: [
    { part_id: "side-panel", process: "laser-cutting", description: "Side panel, birch plywood" },
    { part_id: "door-hinge", process: "cnc-milling" }] } }, manufacturerContext,
  ["Find suppliers for Side panel, birch plywood and door hinge."]],
  ["SupplierCandidates", candidates, manufacturerContext, ["2 suppliers for Side panel, birch plywood", "none for door hinge"]],
  ["SupplyNetwork", { type: "SupplyNetwork", data: { order_id: ORDER_ID, assignments: [
    { part: { part_id: "side-panel", process: "laser-cutting" }, offer: { id: OFFER_ID, part_id: "side-panel",
      supplier_id: "SUP-0073", price: "73.41", delivery_date: "2026-12-14" } }] } }, manufacturerContext,
  ["Side panel, birch plywood from Brandt Metallbau"]],
  ["CommitAgreement", { type: "CommitAgreement", data: { order: { id: ORDER_ID }, quotation: { id: QUOTATION_ID },
    network: { order_id: ORDER_ID, assignments: [{ offer: { id: OFFER_ID, supplier_id: "SUP-0073" } }] } } },
  manufacturerContext, ["Sign the agreement for the order and 1 supply agreement."]],
  ["OrderDecision", { type: "OrderDecision", data: { order_id: ORDER_ID, accept: false, reason: "fully booked in December" } },
    manufacturerContext, ["Decline the order: fully booked in December."]],
  ["StartSourcing", { type: "StartSourcing", data: { order_id: ORDER_ID } }, manufacturerContext, ["Start looking for suppliers."]],
  ["ProductionProgress", { type: "ProductionProgress", data: { order_id: ORDER_ID, percent: 40, note: "" } },
    manufacturerContext, ["Production is 40 % done."]],
  ["SignSupply", { type: "SignSupply", data: { order_id: ORDER_ID, supplier_id: "SUP-0073", proposal_contract_id: CONTRACT_ID } },
    manufacturerContext, ["Please sign the supply agreement with Brandt Metallbau."]],
  ["SupplySigned", { type: "SupplySigned", data: { order_id: ORDER_ID, supplier_id: "SUP-0073",
    agreement_contract_id: CONTRACT_ID } }, manufacturerContext, ["The supply agreement is signed."]],
];

test("every content type is summarised in words, without ids, codes or wire words", () => {
  rememberProducts([{ id: "demo-cabinet", name: "Configurable cabinet" }]);
  for (const [what, decoded, context, expected] of CASES) {
    const text = summarise(/** @type {any} */ (decoded), /** @type {any} */ (context));
    assertReadable(text, /** @type {string} */ (what));
    for (const words of /** @type {string[]} */ (expected)) assert.ok(text.includes(words), `${what}: “${text}” says “${words}”`);
  }
});

test("a product not loaded yet is the customer's product, not its id", () => {
  const order = { type: "Order", data: { id: ORDER_ID, product_id: "not-loaded-product", quantity: 1, delivery_date: "2026-12-17" } };
  assert.equal(summarise(order, { audience: "customer" }), "Order for 1 piece of your product, wanted by 17 Dec 2026.");
  assert.equal(summarise(order), "Order for 1 piece of the product, wanted by 17 Dec 2026.");
});

test("reasons read as the timeline's words, details only for the manufacturer and only without ids", () => {
  const reason = { type: "Reason", data: { reason: "quotation-lapsed", detail: "nobody answered" } };
  assert.equal(summarise(reason, { audience: "customer" }), "The quotation was not answered in time.");
  assert.equal(summarise(reason), "The quotation was not answered in time.", "no detail when the reader is not known");
  assert.equal(summarise(reason, { audience: "manufacturer" }), "The quotation was not answered in time (nobody answered).");
  const unknown = { type: "Reason", data: { reason: "not-signed", detail: `${MAKER} did not answer` } };
  assert.equal(summarise(unknown, { audience: "manufacturer" }), `${SOME_REASON.charAt(0).toUpperCase()}${SOME_REASON.slice(1)}.`);
  const sentence = { type: "Reason", data: { reason: "proposal not accepted" } };
  assert.equal(summarise(sentence, { audience: "manufacturer" }), "Proposal not accepted.");
  assert.equal(summarise(sentence, { audience: "customer" }), "Something went wrong.", "free text only for the manufacturer");
});

test("a status notice with an event reads as the timeline's sentence, else as the status in words", () => {
  const event = { event: "quotation-sent", params: { total: "1144.36", currency: "EUR", delivery_date: "2026-12-17" } };
  const notice = { type: "OrderStatusNotice", data: { order_id: ORDER_ID, status: "quoted", note: `quotation ${QUOTATION_ID}`, event } };
  assert.equal(summarise(notice), eventSentence({ status: "quoted", ...event }));
  assert.equal(summarise(notice), "Quotation: €1,144.36, delivered on 17 Dec 2026.");
  const bare = { type: "OrderStatusNotice", data: { order_id: ORDER_ID, status: "in_production", note: "started" } };
  assert.equal(summarise(bare), "Order status: In production.");
});

test("an offer echoed in an acceptance or a rejection says so", () => {
  const offer = { type: "Offer", data: { id: OFFER_ID, part_id: "side-panel", supplier_id: "SUP-0073", round: 1,
    price: "73.41", delivery_date: "2026-12-14" } };
  assert.equal(summarise(offer, { ...manufacturerContext, performative: "accept-proposal" }),
    "The offer of Brandt Metallbau for Side panel, birch plywood was accepted: €73.41, delivered 14 Dec 2026.");
  assert.equal(summarise(offer, { audience: "manufacturer", performative: "reject-proposal" }),
    "The offer of a supplier for side panel was declined.");
});

test("agents are named in words, never by their address", () => {
  assert.equal(agentName(CUSTOMER, { audience: "customer" }), "Your agent");
  assert.equal(agentName(MAKER, { audience: "customer" }), "The manufacturer's agent");
  assert.equal(agentName(CUSTOMER, { audience: "manufacturer" }), "The customer's agent");
  assert.equal(agentName(MAKER, { audience: "manufacturer" }), "Your agent");
  assert.equal(agentName(CUSTOMER), "The customer's agent");
  assert.equal(agentName(MAKER), "The manufacturer's agent");
  assert.equal(agentName(BRANDT, manufacturerContext), "Brandt Metallbau");
  assert.equal(agentName(UNNAMED, manufacturerContext), "A supplier");
  assert.equal(agentName("matchmaker@localhost"), "The supplier search service");
  assert.equal(agentName("unheard-of@localhost"), "Another agent");
  assert.equal(agentName(""), "Another agent");
});

test("performatives read as plain verbs", () => {
  assert.equal(performativeWords("cfp"), "asked for offers");
  assert.equal(performativeWords("propose"), "offered");
  assert.equal(performativeWords("ACCEPT-PROPOSAL"), "accepted");
  assert.equal(performativeWords("refuse"), "refused");
  assert.equal(performativeWords("agree"), "agreed");
  assert.equal(performativeWords("inform"), "informed");
  assert.equal(performativeWords("some-new-act"), "said");
  assert.equal(performativeWords(""), "said");
});

/**
 * @param {string} conversation @param {string} protocol @param {string} performative @param {string} sender
 * @param {string[]} receivers @param {any} decoded
 */
const say = (conversation, protocol, performative, sender, receivers, decoded) => ({
  position: 0, conversation_id: conversation, protocol, performative, sender, receivers, in_reply_to: null,
  at: "2026-12-01T10:00:00Z", content: "{}", decoded,
});

const manufacturerTranscript = () => ({
  order_id: ORDER_ID,
  conversations: [
    { conversation_id: `order-${ORDER_ID}`, protocol: "lso-order", participants: [CUSTOMER, MAKER], messages: [
      say("o", "lso-order", "cfp", CUSTOMER, [MAKER], CASES[0][1]),
      say("o", "lso-order", "propose", MAKER, [CUSTOMER], CASES[1][1]),
      say("o", "lso-order", "accept-proposal", CUSTOMER, [MAKER], CASES[2][1]),
    ] },
    { conversation_id: `mm-${ORDER_ID}`, protocol: "fipa-request", participants: [MAKER, "matchmaker@localhost"], messages: [
      say("m", "fipa-request", "request", MAKER, ["matchmaker@localhost"], CASES.find((c) => c[0] === "FindSuppliers")?.[1]),
      say("m", "fipa-request", "inform", "matchmaker@localhost", [MAKER], candidates),
    ] },
    { conversation_id: `cn-${ORDER_ID}`, protocol: "fipa-iterated-contract-net", participants: [MAKER, BRANDT, UNNAMED], messages: [
      say("c", "fipa-iterated-contract-net", "cfp", MAKER, [BRANDT, UNNAMED],
        CASES.find((c) => c[0] === "CallForProposals")?.[1]),
      say("c", "fipa-iterated-contract-net", "propose", BRANDT, [MAKER], CASES.find((c) => c[0] === "Offer")?.[1]),
      say("c", "fipa-iterated-contract-net", "reject-proposal", MAKER, [UNNAMED],
        { type: "Reason", data: { reason: "late: the proposal arrived after the reply-by deadline" } }),
      say("c", "fipa-iterated-contract-net", "not-understood", UNNAMED, [MAKER], null),
    ] },
    { conversation_id: null, protocol: null, participants: [MAKER, CUSTOMER], messages: [
      say("", "", "inform", MAKER, [CUSTOMER], CASES.find((c) => c[0] === "OrderStatusNotice (event)")?.[1]),
    ] },
  ],
});

test("a whole manufacturer's transcript reads in words: titles, participants, acts and contents", () => {
  const conversations = transcriptWords(manufacturerTranscript());
  assert.deepEqual(conversations.map((c) => c.title), ["Order with the customer", "Search for suppliers",
    "Negotiation with suppliers for Side panel, birch plywood", "Status updates"]);
  assert.equal(conversations[0].who, "The customer's agent and your agent", "the manufacturer's transcript is recognised");
  assert.equal(conversations[2].who, "Your agent, Brandt Metallbau and another supplier");
  const cfp = conversations[2].messages[0];
  assert.equal(cfp.from, "Your agent");
  assert.equal(cfp.to, "Brandt Metallbau and another supplier");
  assert.equal(cfp.act, "asked for offers");
  for (const c of conversations) {
    assertReadable(`${c.title} ${c.who}`);
    for (const m of c.messages) assertReadable(`${m.from} ${m.to} ${m.act} ${m.text}`);
  }
});

test("the customer's transcript names its agent as the customer's own", () => {
  const transcript = { order_id: ORDER_ID, conversations: [manufacturerTranscript().conversations[0]] };
  const [order] = transcriptWords(transcript, { audience: "customer" });
  assert.equal(order.title, "Your order with the manufacturer");
  assert.equal(order.who, "Your agent and the manufacturer's agent");
  assert.equal(order.messages[1].from, "The manufacturer's agent");
  assert.equal(order.messages[1].to, "your agent");
  assert.equal(order.messages[1].act, "offered");
  const [neutral] = transcriptWords(transcript);
  assert.equal(neutral.title, "Order between the customer and the manufacturer", "not known: words right for both");
  assert.equal(neutral.who, "The customer's agent and the manufacturer's agent");
  for (const m of [...order.messages, ...neutral.messages]) assertReadable(`${m.from} ${m.to} ${m.act} ${m.text}`);
});

test("the context of a transcript: its reader, suppliers (given ones first) and part descriptions", () => {
  const context = transcriptContext(manufacturerTranscript(), { suppliers: { "SUP-0999": { name: "Atelier Roux", country: "FR", rating: null } } });
  assert.equal(context.audience, "manufacturer");
  assert.equal(context.suppliers?.["SUP-0073"].name, "Brandt Metallbau");
  assert.equal(context.suppliers?.["SUP-0999"].name, "Atelier Roux");
  assert.equal(context.parts?.["side-panel"], "Side panel, birch plywood");
  assert.equal(agentName(UNNAMED, context), "Atelier Roux");
  assert.equal(transcriptContext({ conversations: [] }, { audience: "customer" }).audience, "customer");
});

test("a negotiation whose part has no description names the part by its id in words", () => {
  const conversation = { protocol: "fipa-contract-net", messages: [
    say("c", "fipa-contract-net", "cfp", MAKER, [UNNAMED], { type: "CallForProposals", data: { round: 1,
      part: { part_id: "door-hinge_left", process: "cnc-milling" }, delivery_date: "2026-12-14" } })] };
  assert.equal(conversationTitle(conversation), "Negotiation with suppliers for door hinge left");
  assert.equal(conversationTitle({ protocol: "fipa-query", messages: [] }), "Question");
  assert.equal(conversationTitle({ protocol: "something-else", messages: [] }), "Messages");
});

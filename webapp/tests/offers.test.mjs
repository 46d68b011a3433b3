import { test } from "node:test";
import assert from "node:assert/strict";
import { groupOffers, acceptedOf, latestOffer, offerCount } from "../js/logic/offers.js";

/** @param {string} type @param {object} data @param {string} [performative] */
const msg = (type, data, performative = "inform") => ({
  performative, sender: "a@localhost", receivers: ["b@localhost"], at: "2026-12-01T10:00:00Z",
  content: "{}", decoded: { type, data },
});

const cfp = (part, round) => msg("CallForProposals", { part: { part_id: part, process: "cnc-milling" }, round }, "cfp");
const offer = (id, part, supplier, round, price) => msg("Offer",
  { id, part_id: part, supplier_id: supplier, round, price, currency: "EUR", delivery_date: "2027-01-10" }, "propose");

const transcript = {
  order_id: "o1",
  conversations: [
    { conversation_id: "c1", protocol: "fipa-iterated-contract-net", participants: [], messages: [
      cfp("frame", 1),
      offer("o-a1", "frame", "supplier-b", 1, "120.00"),
      offer("o-b1", "frame", "supplier-a", 1, "110.00"),
      cfp("frame", 2),
      offer("o-a2", "frame", "supplier-b", 2, "105.00"),
      offer("o-b2", "frame", "supplier-a", 2, "108.00"),
      msg("AcceptOffer", { offer_id: "o-a2" }, "accept-proposal"),
      msg("RejectOffer", { offer_id: "o-b2" }, "reject-proposal"),
    ] },
    { conversation_id: "c2", protocol: "fipa-contract-net", participants: [], messages: [
      cfp("sole", 1),
      offer("s1", "sole", "supplier-c", 1, "20"),
      offer("s1", "sole", "supplier-c", 1, "20"),
      { performative: "inform", sender: "x", receivers: [], at: "", content: "?", decoded: null },
    ] },
  ],
};

test("groups offers per part, supplier and round with outcomes", () => {
  const grouped = groupOffers(transcript);
  assert.deepEqual(grouped.parts.map((p) => p.part_id), ["frame", "sole"]);
  const frame = grouped.parts[0];
  assert.equal(frame.rounds, 2);
  assert.deepEqual(frame.suppliers.map((s) => s.supplier), ["supplier-a", "supplier-b"]);
  const b = frame.suppliers[1];
  assert.deepEqual(b.offers.map((o) => [o.round, o.price, o.outcome]), [[1, "120.00", "open"], [2, "105.00", "accepted"]]);
  assert.equal(frame.suppliers[0].offers[1].outcome, "rejected");
  assert.equal(frame.suppliers[0].offers[0].currency, "EUR");
  assert.equal(frame.suppliers[0].offers[0].delivery_date, "2027-01-10");
});

test("duplicate offers (same id) count once", () => {
  const grouped = groupOffers(transcript);
  assert.equal(grouped.parts[1].suppliers[0].offers.length, 1);
  assert.equal(offerCount(grouped), 5);
});

test("a part with a call for proposals but no offers is kept, with its rounds", () => {
  const grouped = groupOffers({ conversations: [{ messages: [cfp("wheel", 3)] }] });
  assert.deepEqual(grouped.parts, [{ part_id: "wheel", rounds: 3, suppliers: [] }]);
});

test("accepted and latest helpers", () => {
  const frame = groupOffers(transcript).parts[0];
  assert.deepEqual(acceptedOf(frame.suppliers)?.supplier, "supplier-b");
  assert.equal(latestOffer(frame.suppliers[0])?.price, "108.00");
  assert.equal(acceptedOf([]), null);
});

test("tolerates empty or malformed transcripts", () => {
  assert.deepEqual(groupOffers(null), { parts: [] });
  assert.deepEqual(groupOffers({}), { parts: [] });
  assert.deepEqual(groupOffers({ conversations: [{ messages: null }, null] }), { parts: [] });
});

test("reject after accept does not undo the acceptance", () => {
  const grouped = groupOffers({ conversations: [{ messages: [
    offer("x", "p", "s", 1, "1"), msg("AcceptOffer", { offer_id: "x" }), msg("RejectOffer", { offer_id: "x" }),
  ] }] });
  assert.equal(grouped.parts[0].suppliers[0].offers[0].outcome, "accepted");
});

test("accept-proposal carrying the offer, and reject-proposal with a reason to the supplier", () => {
  const c = "conv-1";
  const grouped = groupOffers({ conversations: [{ conversation_id: c, messages: [
    offer("a", "sole", "SUP-1", 1, "10"),
    offer("b", "sole", "SUP-2", 1, "12"),
    { performative: "reject-proposal", sender: "m@x", receivers: ["suppliers@localhost/SUP-2"], at: "",
      decoded: { type: "Reason", data: { reason: "proposal not accepted" } } },
    { performative: "accept-proposal", sender: "m@x", receivers: ["suppliers@localhost/SUP-1"], at: "",
      decoded: { type: "Offer", data: { id: "a", part_id: "sole", supplier_id: "SUP-1", round: 1, price: "10" } } },
    { performative: "inform", sender: "suppliers@localhost/SUP-1", receivers: ["m@x"], at: "",
      decoded: { type: "Offer", data: { id: "a", part_id: "sole", supplier_id: "SUP-1", round: 1, price: "10" } } },
  ] }] });
  const [one, two] = grouped.parts[0].suppliers;
  assert.equal(one.offers.length, 1);
  assert.equal(one.offers[0].outcome, "accepted");
  assert.equal(two.offers[0].outcome, "rejected");
});

test("supplierOf reads the resource of a JID", async () => {
  const { supplierOf } = await import("../js/logic/offers.js");
  assert.equal(supplierOf("suppliers@localhost/SUP-0138"), "SUP-0138");
  assert.equal(supplierOf("acme@localhost"), "acme");
});

test("the manufacturer names suppliers from the matchmaker's candidates: name, country, rating", async () => {
  const { supplierDirectory, supplierWords } = await import("../js/logic/offers.js");
  const transcript = {
    conversations: [{
      conversation_id: "mm-1",
      messages: [{
        performative: "inform",
        decoded: {
          type: "SupplierCandidates",
          data: {
            candidates: [
              { part_id: "frame", suppliers: [
                { id: "SUP-0073", name: "Brandt Metallbau", location: { country: "DE" }, rating: 4.6 },
                { id: "SUP-0125", name: "Atelier Roux", location: { country: "FR" }, rating: null },
              ] },
              { part_id: "fork", suppliers: [{ id: "SUP-0073", name: "Brandt Metallbau", location: { country: "DE" } }] },
            ],
          },
        },
      }],
    }],
  };
  const directory = supplierDirectory(transcript);
  assert.deepEqual(Object.keys(directory).sort(), ["SUP-0073", "SUP-0125"]);
  assert.equal(supplierWords("SUP-0073", directory), "Brandt Metallbau (DE, rated 4.6 of 5)");
  assert.equal(supplierWords("SUP-0125", directory), "Atelier Roux (FR)");
  assert.equal(supplierWords("SUP-0999", directory), "SUP-0999", "an unknown supplier keeps its id");
  assert.deepEqual(supplierDirectory({ conversations: [] }), {});
});

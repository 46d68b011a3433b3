import { test } from "node:test";
import assert from "node:assert/strict";
import { networkRows } from "../js/components/network.js";

test("the manufacturer's network: each part with its chosen supplier, price and date", () => {
  const network = {
    assignments: [
      {
        part: { part_id: "frame", process: "tube-welding", description: "Welded steel frame" },
        offer: { part_id: "frame", supplier_id: "SUP-0001", price: "123.45", currency: "EUR", delivery_date: "2027-01-10" },
      },
    ],
  };
  assert.deepEqual(networkRows(network, null), [
    {
      part_id: "frame",
      label: "Welded steel frame",
      process: "tube welding",
      expected: null,
      candidates: [{ supplier: "SUP-0001", price: "123.45", currency: "EUR", delivery_date: "2027-01-10", chosen: true }],
    },
  ]);
});

test("the customer's network: each part and when it is expected, no supplier and no price", () => {
  const network = {
    order_id: "o1",
    parts: [
      { part_id: "frame", process: "welding", material: null, description: "", quantity: 1, expected_date: "2027-01-10" },
      { part_id: "top-coat", process: "painting", material: null, description: "", quantity: 1, expected_date: null },
    ],
  };
  assert.deepEqual(networkRows(network, null), [
    { part_id: "frame", label: "frame", process: "welding", candidates: [], expected: "2027-01-10" },
    { part_id: "top-coat", label: "top coat", process: "painting", candidates: [], expected: "" },
  ]);
});

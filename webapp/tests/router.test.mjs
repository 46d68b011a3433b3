import { test } from "node:test";
import assert from "node:assert/strict";

import { homeFor, matchPattern, parseHash } from "../js/core/router.js";

test("patterns with parameters", () => {
  assert.deepEqual(matchPattern("/orders/:id", "/orders/abc-1"), { id: "abc-1" });
  assert.deepEqual(matchPattern("/orders", "/orders"), {});
  assert.deepEqual(matchPattern("/a/:x/b/:y", "/a/1/b/2"), { x: "1", y: "2" });
  assert.deepEqual(matchPattern("/products/:id", "/products/demo%20shoes"), { id: "demo shoes" });
  assert.equal(matchPattern("/orders/:id", "/orders"), null);
  assert.equal(matchPattern("/orders", "/inbox"), null);
  assert.equal(matchPattern("/orders/:id", "/orders/1/extra"), null);
  assert.equal(matchPattern("/orders/:id", "/orders/%E0%A4%A"), null);
});

test("hash parsing", () => {
  const { path, query } = parseHash("#/orders/1?tab=invoice");
  assert.equal(path, "/orders/1");
  assert.equal(query.get("tab"), "invoice");
  assert.equal(parseHash("").path, "/");
  assert.equal(parseHash("#").path, "/");
  assert.equal(parseHash("#/orders/").path, "/orders");
  assert.equal(parseHash("#login").path, "/login");
});

test("home per role", () => {
  assert.equal(homeFor("customer"), "/catalogue");
  assert.equal(homeFor("manufacturer"), "/inbox");
  assert.equal(homeFor("researcher"), "/login");
  assert.equal(homeFor(null), "/login");
});

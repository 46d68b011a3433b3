import { test } from "node:test";
import assert from "node:assert/strict";

import { fieldErrorsOf, humanMessage, retryAfterSeconds } from "../js/core/errors.js";

test("network failure", () => {
  assert.equal(humanMessage({ status: 0 }),
    "The platform cannot be reached. Check your connection and try again.");
});

test("authentication and permission", () => {
  assert.equal(humanMessage({ status: 401, path: "/auth/token" }), "The e-mail address or password is not correct.");
  assert.equal(humanMessage({ status: 400, path: "/auth/token", problem: { error: "invalid_grant" } }),
    "The e-mail address or password is not correct.");
  assert.match(humanMessage({ status: 429, path: "/auth/token", retryAfter: 4, problem: { error: "invalid_grant" } }),
    /Too many requests\. Try again in 4 seconds\./);
  assert.equal(humanMessage({ status: 401, path: "/orders" }), "Your session has expired. Please log in again.");
  assert.equal(humanMessage({ status: 403 }), "You are not allowed to do this.");
  assert.match(humanMessage({ status: 404 }), /could not be found/);
});

test("conflicts use the problem detail", () => {
  assert.equal(humanMessage({ status: 409, detail: "Order is already contracted" }),
    "This order has moved on: order is already contracted");
  assert.match(humanMessage({ status: 409 }), /moved on/);
});

test("validation, rate limits, agents, server errors", () => {
  assert.equal(humanMessage({ status: 422 }), "Some fields need attention.");
  assert.equal(humanMessage({ status: 429, retryAfter: 30 }), "Too many requests. Try again in 30 seconds.");
  assert.equal(humanMessage({ status: 429, retryAfter: 1 }), "Too many requests. Try again in 1 second.");
  assert.equal(humanMessage({ status: 429 }), "Too many requests. Try again in a moment.");
  assert.equal(humanMessage({ status: 503 }),
    "The negotiating agents are not reachable right now. Try again in a moment.");
  const server = humanMessage({ status: 500, requestId: "abc123" });
  assert.match(server, /went wrong/);
  assert.match(server, /abc123/);
});

test("other inputs", () => {
  assert.equal(humanMessage("Plain words"), "Plain words");
  assert.match(humanMessage(null), /went wrong/);
  assert.match(humanMessage(new TypeError("x is undefined")), /reload/);
  assert.equal(humanMessage({ status: 418, detail: "short and stout" }), "short and stout");
});

test("retry-after", () => {
  assert.equal(retryAfterSeconds("120"), 120);
  assert.equal(retryAfterSeconds(null), null);
  assert.equal(retryAfterSeconds("soon"), null);
  const now = Date.parse("2027-03-01T10:00:00Z");
  assert.equal(retryAfterSeconds("Mon, 01 Mar 2027 10:00:30 GMT", now), 30);
});

test("field errors without the location prefix", () => {
  const problem = {
    errors: [
      { field: "body.quantity", message: "must be at least 1", type: "greater_than_equal" },
      { field: "body.options.color", message: "unknown value", type: "value_error" },
      { field: "query.limit", message: "too big", type: "x" },
      { field: "body.quantity", message: "second message ignored", type: "x" },
    ],
  };
  assert.deepEqual(fieldErrorsOf(problem), {
    quantity: "must be at least 1",
    "options.color": "unknown value",
    limit: "too big",
  });
  assert.deepEqual(fieldErrorsOf(null), {});
});

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  MIN_PASSWORD_LENGTH,
  passwordHint,
  signupRefusal,
  tooManyLogins,
  tryAgainIn,
} from "../js/logic/account.js";

test("the hint counts the missing characters, then warns about the plainly guessable", () => {
  assert.equal(passwordHint("").level, "empty");
  assert.match(passwordHint("").text, new RegExp(`At least ${MIN_PASSWORD_LENGTH} characters`));
  assert.deepEqual(passwordHint("abcdefgh"), { level: "short", text: "2 more characters, please." });
  assert.equal(passwordHint("abcdefghi").text, "1 more character, please.");
  assert.equal(passwordHint("12345678901").level, "weak");
  assert.equal(passwordHint("aaaaaaaaaaaa").level, "weak");
  const who = { email: "carla.rossi@example.org", name: "Carla Rossi" };
  assert.match(passwordHint("carla.rossi@example.org", who).text, /e-mail address and name/);
  assert.equal(passwordHint("ROSSI-family-2024", who).level, "weak");
  assert.equal(passwordHint("violet tugboat orchestra", who).level, "fair");
});

test("waits are said in seconds, then minutes", () => {
  assert.equal(tryAgainIn(1), "Try again in 1 second.");
  assert.equal(tryAgainIn(8), "Try again in 8 seconds.");
  assert.equal(tryAgainIn(600), "Try again in 10 minutes.");
  assert.equal(tryAgainIn(61), "Try again in 2 minutes.");
  assert.equal(tryAgainIn(null), "Try again in a moment.");
  assert.equal(tooManyLogins(4), "Too many failed logins from this device. Try again in 4 seconds.");
});

test("a refused sign-up is told by field, in words", () => {
  const weak = signupRefusal({
    status: 422,
    detail: "This is a top-10 common password. Add another word or two.",
    problem: { type: "/problems/weak-password" },
  });
  assert.deepEqual(weak, {
    fields: { password: "This is a top-10 common password. Add another word or two." },
    message: "",
  });
  assert.match(signupRefusal({ status: 409 }).fields.email, /exists already/);
  const invalid = signupRefusal({
    status: 422,
    problem: { type: "/problems/validation-error" },
    fieldErrors: { email: "String should match pattern '^[A-Za-z0-9...'", extra: "forbidden" },
  });
  assert.equal(invalid.fields.email, "Enter an e-mail address like name@example.org.");
  assert.equal(invalid.fields.extra, "Check this field.");
  assert.doesNotMatch(JSON.stringify(invalid), /pattern/);
  assert.equal(signupRefusal({ status: 429, retryAfter: 3 }).message, "Too many requests. Try again in 3 seconds.");
  assert.match(signupRefusal({ status: 0 }).message, /cannot be reached/);
  assert.match(signupRefusal({ status: 500 }).message, /could not be created/);
});

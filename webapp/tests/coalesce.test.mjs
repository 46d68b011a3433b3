import { test } from "node:test";
import assert from "node:assert/strict";
import { coalesced } from "../js/core/coalesce.js";

test("calls during a run fold into one more run", async () => {
  let runs = 0;
  /** @type {() => void} */
  let release = () => {};
  const call = coalesced(async () => {
    runs += 1;
    if (runs === 1) await new Promise((resolve) => { release = () => resolve(undefined); });
  });
  const first = call();
  const burst = [call(), call(), call()];
  release();
  await Promise.all([first, ...burst]);
  assert.equal(runs, 2);
});

test("no further run once stopped", async () => {
  let runs = 0;
  let stop = false;
  /** @type {() => void} */
  let release = () => {};
  const call = coalesced(async () => {
    runs += 1;
    await new Promise((resolve) => { release = () => resolve(undefined); });
  }, () => stop);
  const first = call();
  call();
  stop = true;
  release();
  await first;
  assert.equal(runs, 1);
});

test("a later call after a finished run runs again", async () => {
  let runs = 0;
  const call = coalesced(async () => { runs += 1; });
  await call();
  await call();
  assert.equal(runs, 2);
});

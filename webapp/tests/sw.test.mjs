// The service worker's precache list names every file the app is made of, and nothing else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const NOT_SHIPPED = new Set([
  "node_modules", "tests", "package.json", "package-lock.json", "jsconfig.json", "eslint.config.js", "sw.js",
]);

function shippedFiles(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (NOT_SHIPPED.has(name) || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...shippedFiles(path));
    else found.push(relative(root, path).split("\\").join("/"));
  }
  return found;
}

function precached() {
  const source = readFileSync(join(root, "sw.js"), "utf8");
  const list = source.match(/const SHELL = \[([\s\S]*?)\];/);
  assert.ok(list, "sw.js declares its SHELL list");
  return [...list[1].matchAll(/"([^"]+)"/g)].map((match) => match[1]).filter((path) => path !== "./");
}

test("every shipped file is precached, so the whole app opens offline", () => {
  const missing = shippedFiles(root).filter((file) => !precached().includes(file));
  assert.deepEqual(missing, []);
});

test("the precache list names no file that does not exist", () => {
  const shipped = new Set(shippedFiles(root));
  assert.deepEqual(precached().filter((file) => !shipped.has(file)), []);
});

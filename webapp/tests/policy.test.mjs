import { test } from "node:test";
import assert from "node:assert/strict";
import { validatePolicy, validateSchema, resolveRef, policySchema } from "../js/logic/policy.js";

// The PolicyUpdate schema and its references as GET /openapi.json serves them.
const OPENAPI = {"components": {"schemas": {"PolicyUpdate": {"properties": {"auto_accept": {"type": "boolean", "title": "Auto Accept", "default": true}, "auto_source": {"type": "boolean", "title": "Auto Source", "description": "start the supplier search at once; off: wait for the console's StartSourcing", "default": true}, "auto_produce": {"type": "boolean", "title": "Auto Produce", "description": "production completes by itself; off: wait for ProductionProgress 100", "default": true}, "auto_invoice": {"type": "boolean", "title": "Auto Invoice", "description": "invoice once produced; off: wait for the console's RaiseInvoice", "default": true}, "capacity_hours_per_week": {"type": "number", "maximum": 100000.0, "exclusiveMinimum": 0.0, "title": "Capacity Hours Per Week"}, "own_processes": {"items": {"$ref": "#/components/schemas/ProcessKind"}, "type": "array", "uniqueItems": true, "title": "Own Processes", "default": []}, "sourced_processes": {"items": {"$ref": "#/components/schemas/ProcessKind"}, "type": "array", "uniqueItems": true, "title": "Sourced Processes", "default": []}, "margin": {"anyOf": [{"type": "number", "maximum": 10.0, "minimum": 0.0}, {"type": "string"}], "title": "Margin"}, "currency": {"type": "string", "title": "Currency", "default": "EUR"}, "strategy": {"$ref": "#/components/schemas/NegotiationStrategy", "default": "boulware"}, "deadline_seconds": {"type": "number", "maximum": 86400.0, "exclusiveMinimum": 0.0, "title": "Deadline Seconds", "default": 30.0}, "max_rounds": {"type": "integer", "maximum": 100.0, "minimum": 1.0, "title": "Max Rounds", "default": 3}, "weights": {"$ref": "#/components/schemas/IssueWeights"}, "reservation": {"$ref": "#/components/schemas/ReservationValues-Input"}, "production_days": {"type": "integer", "maximum": 365.0, "minimum": 0.0, "title": "Production Days", "description": "days from the last part to delivery", "default": 0}, "max_suppliers_per_part": {"type": "integer", "maximum": 100.0, "minimum": 1.0, "title": "Max Suppliers Per Part", "default": 5}}, "additionalProperties": false, "type": "object", "required": ["capacity_hours_per_week", "margin"], "title": "PolicyUpdate", "description": "The manufacturer agent's new policy (all of it); it applies from the next order on.", "examples": [{"auto_accept": true, "auto_invoice": true, "auto_produce": true, "auto_source": true, "capacity_hours_per_week": 80, "currency": "EUR", "deadline_seconds": 30, "margin": "0.25", "max_rounds": 3, "max_suppliers_per_part": 5, "own_processes": ["assembly", "packaging", "quality-inspection"], "production_days": 5, "sourced_processes": ["cnc-milling", "laser-cutting", "painting", "welding"], "strategy": "boulware"}]}, "ProcessKind": {"type": "string", "enum": ["cnc-milling", "cnc-turning", "laser-cutting", "waterjet-cutting", "sheet-metal-bending", "welding", "casting", "forging", "injection-moulding", "additive-manufacturing", "pcb-assembly", "surface-finishing", "painting", "textile-cutting-sewing", "textile-printing", "woodworking", "assembly", "quality-inspection", "packaging"], "title": "ProcessKind", "description": "A manufacturing process (operation) a part needs and a supplier may offer."}, "NegotiationStrategy": {"type": "string", "enum": ["boulware", "linear", "conceder", "tit-for-tat"], "title": "NegotiationStrategy", "description": "Time-dependent concession tactics (Faratin et al.) and the behaviour-dependent tit-for-tat."}, "IssueWeights": {"properties": {"price": {"type": "number", "maximum": 1.0, "minimum": 0.0, "title": "Price", "default": 0.5}, "delivery": {"type": "number", "maximum": 1.0, "minimum": 0.0, "title": "Delivery", "default": 0.3}, "quality": {"type": "number", "maximum": 1.0, "minimum": 0.0, "title": "Quality", "default": 0.2}}, "additionalProperties": false, "type": "object", "title": "IssueWeights", "description": "Relative importance of the negotiated issues; the three weights sum to 1."}, "ReservationValues-Input": {"properties": {"max_part_price": {"anyOf": [{"type": "number", "minimum": 0.0}, {"type": "string"}, {"type": "null"}], "title": "Max Part Price", "description": "for any part without its own limit"}, "part_price_limits": {"additionalProperties": {"anyOf": [{"type": "number", "minimum": 0.0}, {"type": "string"}]}, "propertyNames": {"maxLength": 64}, "type": "object", "title": "Part Price Limits"}, "delivery_slack_days": {"type": "integer", "maximum": 365.0, "minimum": 0.0, "title": "Delivery Slack Days", "description": "days a part may come later than planned", "default": 0}}, "additionalProperties": false, "type": "object", "title": "ReservationValues", "description": "The manufacturer's walk-away points towards suppliers."}}}};

const valid = () => ({
  auto_accept: true, auto_source: false, auto_produce: true, auto_invoice: false,
  capacity_hours_per_week: 80, own_processes: ["assembly", "packaging"], sourced_processes: ["cnc-milling"],
  margin: "0.25", currency: "EUR", strategy: "boulware", deadline_seconds: 30, max_rounds: 3,
  weights: { price: 0.5, delivery: 0.3, quality: 0.2 },
  reservation: { max_part_price: null, part_price_limits: { frame: "120" }, delivery_slack_days: 0 },
  production_days: 5, max_suppliers_per_part: 5,
});

test("a valid policy has no errors", () => {
  assert.deepEqual(validatePolicy(valid(), OPENAPI), {});
});

test("resolves $refs into components.schemas", () => {
  assert.deepEqual(resolveRef({ $ref: "#/components/schemas/NegotiationStrategy" }, OPENAPI).enum,
    ["boulware", "linear", "conceder", "tit-for-tat"]);
  assert.ok(policySchema(OPENAPI).properties.margin);
  assert.deepEqual(resolveRef({ $ref: "#/components/schemas/Nope" }, OPENAPI), {});
});

test("required fields", () => {
  const p = valid();
  delete p.capacity_hours_per_week;
  p.margin = "";
  const errors = validatePolicy(p, OPENAPI);
  assert.equal(errors.capacity_hours_per_week, "This field is required.");
  assert.equal(errors.margin, "This field is required.");
});

test("exclusive minimum and maximum", () => {
  const p = valid();
  p.capacity_hours_per_week = 0;
  p.deadline_seconds = 86401;
  p.max_rounds = 0;
  const errors = validatePolicy(p, OPENAPI);
  assert.equal(errors.capacity_hours_per_week, "Must be more than 0.");
  assert.equal(errors.deadline_seconds, "Must be at most 86400.");
  assert.equal(errors.max_rounds, "Must be at least 1.");
});

test("integers and types", () => {
  const p = valid();
  p.max_rounds = 2.5;
  p.auto_accept = "yes";
  p.production_days = "";
  const errors = validatePolicy(p, OPENAPI);
  assert.equal(errors.max_rounds, "Must be a whole number.");
  assert.equal(errors.auto_accept, "Must be true or false.");
  assert.equal(errors.production_days, "This field is required.");
});

test("string-encoded decimals: margin", () => {
  for (const ok of ["0", "0.25", "10", 0.5, "1e-1"]) {
    const p = valid();
    p.margin = ok;
    assert.deepEqual(validatePolicy(p, OPENAPI), {}, String(ok));
  }
  const p = valid();
  p.margin = "abc";
  assert.equal(validatePolicy(p, OPENAPI).margin, "Enter a number, e.g. 0.25.");
  p.margin = "10.5";
  assert.equal(validatePolicy(p, OPENAPI).margin, "Must be at most 10.");
  p.margin = -1;
  assert.equal(validatePolicy(p, OPENAPI).margin, "Must be at least 0.");
});

test("anyOf with null and nested objects", () => {
  const p = valid();
  p.reservation.max_part_price = "-5";
  p.reservation.delivery_slack_days = 400;
  p.reservation.part_price_limits = { frame: "x" };
  const errors = validatePolicy(p, OPENAPI);
  assert.equal(errors["reservation.max_part_price"], "Must be at least 0.");
  assert.equal(errors["reservation.delivery_slack_days"], "Must be at most 365.");
  assert.equal(errors["reservation.part_price_limits.frame"], "Enter a number, e.g. 0.25.");
  p.reservation = { max_part_price: null };
  assert.deepEqual(validatePolicy(p, OPENAPI), {});
});

test("propertyNames maxLength of a map", () => {
  const p = valid();
  p.reservation.part_price_limits = { ["x".repeat(65)]: "1" };
  assert.match(validatePolicy(p, OPENAPI)["reservation.part_price_limits." + "x".repeat(65)], /at most 64/);
});

test("enum, array items and uniqueItems", () => {
  const p = valid();
  p.strategy = "greedy";
  p.own_processes = ["assembly", "assembly"];
  p.sourced_processes = ["teleportation"];
  const errors = validatePolicy(p, OPENAPI);
  assert.match(errors.strategy, /^Choose one of: boulware/);
  assert.equal(errors.own_processes, "Each entry may appear only once.");
  assert.match(errors["sourced_processes.0"], /^Choose one of/);
});

test("unknown fields are refused (additionalProperties false)", () => {
  const p = /** @type {any} */ (valid());
  p.colour = "red";
  p.weights.speed = 1;
  const errors = validatePolicy(p, OPENAPI);
  assert.equal(errors.colour, "This field is not known.");
  assert.equal(errors["weights.speed"], "This field is not known.");
});

test("model rules: weights sum to 1, own and sourced processes disjoint", () => {
  const p = valid();
  p.weights = { price: 0.5, delivery: 0.5, quality: 0.5 };
  p.sourced_processes = ["assembly", "welding"];
  const errors = validatePolicy(p, OPENAPI);
  assert.match(errors.weights, /add up to 1 \(now 1.5\)/);
  assert.equal(errors.sourced_processes, "Listed both as own and as sourced: assembly.");
});

test("a weight out of range is reported on the weight, not as a sum", () => {
  const p = valid();
  p.weights = { price: 1.5, delivery: -0.5, quality: 0 };
  const errors = validatePolicy(p, OPENAPI);
  assert.equal(errors["weights.price"], "Must be at most 1.");
  assert.equal(errors.weights, undefined);
});

test("string length and pattern", () => {
  const schema = { type: "object", properties: { code: { type: "string", minLength: 2, maxLength: 3, pattern: "^[A-Z]+$" } } };
  assert.deepEqual(validateSchema({ code: "EUR" }, schema, {}), {});
  assert.equal(validateSchema({ code: "E" }, schema, {}).code, "Must be at least 2 characters.");
  assert.equal(validateSchema({ code: "EURO" }, schema, {}).code, "Must be at most 3 characters.");
  assert.equal(validateSchema({ code: "eu" }, schema, {}).code, "Has a form that is not allowed.");
  assert.equal(validateSchema({ n: 5 }, { properties: { n: { type: "number", exclusiveMaximum: 5 } } }, {}).n,
    "Must be less than 5.");
});

test("the margin is a percentage in the form and a fraction in the API, exactly", async () => {
  const { percentText, fractionOf, percentMessages } = await import("../js/logic/policy.js");
  assert.equal(percentText("0.25"), "25");
  assert.equal(percentText(0.125), "12.5");
  assert.equal(percentText("10"), "1000");
  assert.equal(percentText(null), "");
  assert.equal(fractionOf("25"), "0.25");
  assert.equal(fractionOf("25 %"), "0.25");
  assert.equal(fractionOf("12.5%"), "0.125");
  assert.equal(fractionOf("0.1"), "0.001");
  assert.equal(fractionOf("lots"), "lots", "not a number: validation says so");
  const p = valid();
  p.margin = fractionOf("1200");
  const errors = percentMessages(validatePolicy(p, OPENAPI));
  assert.equal(errors.margin, "Must be at most 1000 %.");
  p.margin = fractionOf("lots");
  assert.equal(percentMessages(validatePolicy(p, OPENAPI)).margin, "Enter a percentage, e.g. 25.");
  assert.equal(percentMessages({ max_rounds: "Must be at most 100." }).max_rounds, "Must be at most 100.");
});

test("the policy form speaks a manufacturer's language", async () => {
  const { LABELS, EXPLANATIONS, choiceLabel } = await import("../js/views/manufacturer/policy-text.js");
  assert.equal(choiceLabel("strategy", "boulware"), "Boulware — hold the price, concede late");
  assert.equal(choiceLabel("strategy", "tit-for-tat"), "Tit for tat — mirror what the supplier concedes");
  assert.equal(choiceLabel("own_processes", "cnc-milling"), "CNC milling");
  assert.equal(choiceLabel("own_processes", "surface-finishing"), "Surface finishing");
  const jargon = /StartSourcing|RaiseInvoice|ProductionProgress|console|JID|@|\bcfp\b|calls? for proposals|\b0\.\d+\b/;
  for (const text of [...Object.values(LABELS), ...Object.values(EXPLANATIONS)]) assert.doesNotMatch(text, jargon, text);
  for (const name of Object.keys(policySchema(OPENAPI).properties)) assert.ok(LABELS[name], `a label for ${name}`);
});

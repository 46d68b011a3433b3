/**
 * Pure: validate a policy object against the JSON Schema of PolicyUpdate (from /openapi.json) the way the
 * API does, for the subset of JSON Schema the API uses; plus the two model rules the schema cannot express.
 * @module logic/policy
 */

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Resolve a local "$ref" ("#/components/schemas/X") against the root document; follows chains.
 * @param {any} schema
 * @param {any} root the OpenAPI document (or anything with components.schemas)
 * @returns {any}
 */
export function resolveRef(schema, root) {
  let current = schema;
  let guard = 0;
  while (current && typeof current === "object" && typeof current.$ref === "string" && guard < 32) {
    guard += 1;
    const ref = /** @type {string} */ (current.$ref);
    const path = ref.replace(/^#\//, "").split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
    let target = root;
    for (const key of path) target = target && typeof target === "object" ? target[key] : undefined;
    if (!target) return {};
    const { $ref, ...rest } = current;
    current = Object.keys(rest).length ? { ...target, ...rest } : target;
  }
  return current || {};
}

/**
 * JSON type name of a value as JSON Schema sees it.
 * @param {any} value
 * @returns {string}
 */
function typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/**
 * @param {any} value
 * @param {string} type
 * @returns {boolean}
 */
function hasType(value, type) {
  const actual = typeOf(value);
  if (type === "number") return (actual === "number" || actual === "integer") && Number.isFinite(value);
  if (type === "integer") return actual === "integer";
  return actual === type;
}

/** @type {Record<string, string>} */
const TYPE_WORDS = {
  number: "a number",
  integer: "a whole number",
  string: "text",
  boolean: "true or false",
  array: "a list",
  object: "a group of fields",
  null: "empty",
};

/**
 * Format a bound for a message.
 * @param {number} n
 * @returns {string}
 */
function bound(n) {
  return String(Number(n));
}

/**
 * True when an anyOf is "a number, or the same number written as a string" (pydantic Decimal).
 * @param {any[]} branches resolved
 * @returns {any | null} the number branch
 */
function decimalBranch(branches) {
  const number = branches.find((b) => b.type === "number" || b.type === "integer");
  const string = branches.find((b) => b.type === "string" && !b.enum && !b.pattern && !b.format);
  return number && string ? number : null;
}

/**
 * Validate a value against a schema, collecting {path: message}.
 * @param {any} value
 * @param {any} schemaIn
 * @param {any} root
 * @param {string} path dotted path ("" for the top)
 * @param {Record<string, string>} errors
 */
function check(value, schemaIn, root, path, errors) {
  const schema = resolveRef(schemaIn, root);
  const key = path || "__root__";
  /** @param {string} message */
  const fail = (message) => {
    if (!(key in errors)) errors[key] = message;
  };
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const branches = (schema.anyOf || schema.oneOf).map((/** @type {any} */ b) => resolveRef(b, root));
    if (value === null && branches.some((/** @type {any} */ b) => b.type === "null")) return;
    const numeric = decimalBranch(branches);
    if (numeric) {
      if (typeof value === "string") {
        const text = value.trim();
        if (!DECIMAL.test(text)) {
          fail("Enter a number, e.g. 0.25.");
          return;
        }
        check(Number(text), numeric, root, path, errors);
        return;
      }
      if (typeof value === "number") {
        check(value, numeric, root, path, errors);
        return;
      }
    }
    /** @type {Record<string, string> | null} */
    let firstErrors = null;
    for (const branch of branches) {
      /** @type {Record<string, string>} */
      const found = {};
      check(value, branch, root, path, found);
      if (!Object.keys(found).length) return;
      if (!firstErrors && branch.type !== "null") firstErrors = found;
    }
    for (const [k, m] of Object.entries(firstErrors || { [key]: "This value is not allowed." })) {
      if (!(k in errors)) errors[k] = m;
    }
    return;
  }
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf) check(value, part, root, path, errors);
  }
  if (schema.type) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((/** @type {string} */ t) => hasType(value, t))) {
      if (value === undefined || value === null || value === "") fail("This field is required.");
      else fail(`Must be ${types.map((/** @type {string} */ t) => TYPE_WORDS[t] || t).join(" or ")}.`);
      return;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((/** @type {any} */ e) => e === value)) {
    fail(`Choose one of: ${schema.enum.join(", ")}.`);
    return;
  }
  if (schema.const !== undefined && schema.const !== value) {
    fail(`Must be ${schema.const}.`);
    return;
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) fail(`Must be at least ${bound(schema.minimum)}.`);
    else if (typeof schema.maximum === "number" && value > schema.maximum) {
      fail(`Must be at most ${bound(schema.maximum)}.`);
    } else if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) {
      fail(`Must be more than ${bound(schema.exclusiveMinimum)}.`);
    } else if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) {
      fail(`Must be less than ${bound(schema.exclusiveMaximum)}.`);
    } else if (typeof schema.multipleOf === "number" && Math.abs(value / schema.multipleOf
      - Math.round(value / schema.multipleOf)) > 1e-9) {
      fail(`Must be a multiple of ${bound(schema.multipleOf)}.`);
    }
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (typeof schema.minLength === "number" && length < schema.minLength) {
      fail(schema.minLength === 1 ? "This field is required." : `Must be at least ${schema.minLength} characters.`);
    } else if (typeof schema.maxLength === "number" && length > schema.maxLength) {
      fail(`Must be at most ${schema.maxLength} characters.`);
    } else if (typeof schema.pattern === "string") {
      let re;
      try {
        re = new RegExp(schema.pattern, "u");
      } catch {
        re = null;
      }
      if (re && !re.test(value)) fail("Has a form that is not allowed.");
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) {
      fail(`Choose at least ${schema.minItems}.`);
    } else if (typeof schema.maxItems === "number" && value.length > schema.maxItems) {
      fail(`Choose at most ${schema.maxItems}.`);
    }
    if (schema.uniqueItems) {
      const seen = new Set(value.map((v) => JSON.stringify(v)));
      if (seen.size !== value.length) fail("Each entry may appear only once.");
    }
    if (schema.items) value.forEach((item, i) => check(item, schema.items, root, path ? `${path}.${i}` : String(i), errors));
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const properties = schema.properties || {};
    for (const name of schema.required || []) {
      if (value[name] === undefined || value[name] === null || value[name] === "") {
        const p = path ? `${path}.${name}` : name;
        if (!(p in errors)) errors[p] = "This field is required.";
      }
    }
    for (const [name, v] of Object.entries(value)) {
      const p = path ? `${path}.${name}` : name;
      if (v === undefined) continue;
      if (name in properties) {
        if (v === null && !(schema.required || []).includes(name)) {
          const propSchema = resolveRef(properties[name], root);
          const nullable = Array.isArray(propSchema.anyOf) && propSchema.anyOf.some((/** @type {any} */ b) => b.type === "null");
          if (!nullable) continue;
        }
        if (v === "" && (schema.required || []).includes(name)) continue;
        check(v, properties[name], root, p, errors);
      } else if (schema.additionalProperties === false) {
        if (!(p in errors)) errors[p] = "This field is not known.";
      } else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
        check(v, schema.additionalProperties, root, p, errors);
      }
      if (schema.propertyNames && !(name in properties)) {
        /** @type {Record<string, string>} */
        const found = {};
        check(name, schema.propertyNames, root, p, found);
        if (Object.keys(found).length && !(p in errors)) errors[p] = `The name “${name}” ${Object.values(found)[0].toLowerCase()}`;
      }
    }
  }
}

/**
 * Validate a value against a schema.
 * @param {any} value
 * @param {any} schema e.g. {$ref: "#/components/schemas/PolicyUpdate"}
 * @param {any} root the OpenAPI document
 * @returns {Record<string, string>} field path -> message; empty when valid
 */
export function validateSchema(value, schema, root) {
  /** @type {Record<string, string>} */
  const errors = {};
  check(value, schema, root, "", errors);
  return errors;
}

/**
 * Validate a manufacturer policy as the API does: the PolicyUpdate schema, then the model rules
 * (issue weights sum to 1; a process is either own or sourced, not both).
 * @param {any} policy
 * @param {any} openapi the GET /openapi.json document
 * @returns {Record<string, string>}
 */
export function validatePolicy(policy, openapi) {
  const errors = validateSchema(policy, { $ref: "#/components/schemas/PolicyUpdate" }, openapi);
  const w = policy && policy.weights;
  if (w && typeof w === "object" && !Object.keys(errors).some((k) => k.startsWith("weights"))) {
    const total = ["price", "delivery", "quality"].reduce((sum, k) => sum + (typeof w[k] === "number" ? w[k] : 0), 0);
    if (Math.abs(total - 1) > 1e-9) errors.weights = `The three weights must add up to 1 (now ${Number(total.toFixed(6))}).`;
  }
  const own = policy && Array.isArray(policy.own_processes) ? policy.own_processes : [];
  const sourced = policy && Array.isArray(policy.sourced_processes) ? policy.sourced_processes : [];
  const both = own.filter((/** @type {string} */ p) => sourced.includes(p));
  if (both.length && !errors.sourced_processes) {
    errors.sourced_processes = `Listed both as own and as sourced: ${[...new Set(both)].sort().join(", ")}.`;
  }
  return errors;
}

/**
 * The PolicyUpdate schema with its top-level $refs resolved, or null.
 * @param {any} openapi
 * @returns {any}
 */
export function policySchema(openapi) {
  const schema = openapi && openapi.components && openapi.components.schemas
    ? openapi.components.schemas.PolicyUpdate : null;
  return schema ? resolveRef(schema, openapi) : null;
}

/** Fields the API takes as a fraction (0.25) and people read as a percentage (25 %). */
export const PERCENT_FIELDS = Object.freeze(["margin"]);

/**
 * A decimal written with its point moved `places` to the right (exact: no binary floating point).
 * @param {string} text e.g. "0.25"
 * @param {number} places
 * @returns {string | null} null when text is not a plain decimal
 */
function shiftPoint(text, places) {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m || (m[2] + (m[3] || "")) === "") return null;
  let digits = m[2] + (m[3] || "");
  let point = m[2].length + places;
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += "0".repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, "") || "0";
  const fraction = digits.slice(point).replace(/0+$/, "");
  return `${m[1] === "-" ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/**
 * A fraction as the number of a percentage: 0.25 or "0.25" -> "25"; empty for no value.
 * @param {unknown} value
 * @returns {string}
 */
export function percentText(value) {
  if (value === null || value === undefined || value === "") return "";
  return shiftPoint(String(value), 2) ?? String(value);
}

/**
 * A percentage typed by a person as the API's fraction: "25", "25 %", "12.5%" -> "0.25", "0.125"; text that
 * is not a number stays as typed (validation then says so).
 * @param {string} text
 * @returns {string}
 */
export function fractionOf(text) {
  const raw = String(text).replace(/%/g, "").trim();
  if (raw === "") return "";
  return shiftPoint(raw, -2) ?? raw;
}

/**
 * Validation messages of percentage fields in percentages ("Must be at most 10." -> "Must be at most 1000 %.").
 * @param {Record<string, string>} errors field path -> message (API units)
 * @returns {Record<string, string>}
 */
export function percentMessages(errors) {
  /** @type {Record<string, string>} */
  const out = { ...errors };
  for (const path of PERCENT_FIELDS) {
    const message = out[path];
    if (!message) continue;
    out[path] = /^Enter a number/.test(message)
      ? "Enter a percentage, e.g. 25."
      : message.replace(/(-?\d+(?:\.\d+)?)\.$/, (_, n) => `${percentText(n)} %.`);
  }
  return out;
}

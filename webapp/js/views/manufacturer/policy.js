/**
 * Manufacturer: edit the agent policy in a form built from the PolicyUpdate JSON Schema of /openapi.json,
 * validated like the API validates it; saved with If-Match so two consoles do not overwrite each other.
 * Labels, help and choices are in the manufacturer's words (policy-text.js); a fraction the API takes
 * (margin 0.25) is a percentage in the form (25 %).
 * @module views/manufacturer/policy
 */

import { h, clear } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { humanMessage } from "../../core/errors.js";
import { dateTimeLabel } from "../../core/format.js";
import { loading, errorBox } from "../../ui/states.js";
import { notify } from "../../ui/toast.js";
import {
  PERCENT_FIELDS, fractionOf, percentMessages, percentText, resolveRef, validatePolicy,
} from "../../logic/policy.js";
import { LABELS, EXPLANATIONS, choiceLabel } from "./policy-text.js";

let counter = 0;
/** @param {string} path @returns {string} */
const idFor = (path) => `pol-${path.replace(/[^a-z0-9]+/gi, "-")}-${(counter += 1)}`;

/**
 * @typedef {object} Control
 * @property {string} path dotted field path
 * @property {() => any} read value for the body (undefined: leave out)
 * @property {(message: string) => void} setError
 * @property {HTMLElement} focusable
 */

/**
 * Words from a schema title or a field name.
 * @param {string} path
 * @param {any} schema
 * @returns {string}
 */
function labelOf(path, schema) {
  return LABELS[path] || schema.title || path.split(".").pop() || path;
}

/**
 * Help text: our explanation of the field (the schema's description only for a field that has none: it is
 * written for programmers).
 * @param {string} path
 * @param {any} schema
 * @param {string} id
 * @returns {HTMLElement | null}
 */
function helpOf(path, schema, id) {
  const raw = schema.description ? String(schema.description).trim() : "";
  const description = raw ? `${raw.charAt(0).toUpperCase()}${raw.slice(1)}${/[.!?]$/.test(raw) ? "" : "."}` : "";
  const explanation = EXPLANATIONS[path] || description;
  if (!explanation) return null;
  return h("div", { class: "help", id }, h("p", {}, explanation));
}

/**
 * An error slot wired to an input.
 * @param {HTMLElement} wrap
 * @param {HTMLElement} input
 * @param {string} helpId
 * @returns {(message: string) => void}
 */
function errorSlot(wrap, input, helpId) {
  const error = h("p", { class: "field-error", id: `${input.id || helpId}-error`, hidden: true });
  wrap.append(error);
  return (message) => {
    error.textContent = message;
    error.hidden = !message;
    const ids = [helpId, message ? error.id : ""].filter(Boolean).join(" ");
    if (ids) input.setAttribute("aria-describedby", ids);
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    wrap.classList.toggle("has-error", Boolean(message));
  };
}

/**
 * @typedef {"optional-group" | "boolean" | "enum" | "multi" | "group" | "map" | "decimal" | "number" | "integer"
 *   | "text"} ControlKind
 */

/**
 * Kind of control a schema needs.
 * @param {any} schema resolved
 * @param {any} root
 * @returns {ControlKind}
 */
function kindOf(schema, root) {
  if (optionalGroupOf(schema, root)) return "optional-group";
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf.map((/** @type {any} */ b) => resolveRef(b, root));
    if (branches.some((/** @type {any} */ b) => b.type === "number" || b.type === "integer")) return "decimal";
    return "text";
  }
  if (schema.type === "boolean") return "boolean";
  if (Array.isArray(schema.enum)) return "enum";
  if (schema.type === "array" && schema.items && Array.isArray(resolveRef(schema.items, root).enum)) return "multi";
  if (schema.type === "object" && schema.properties) return "group";
  if (schema.type === "object") return "map";
  if (schema.type === "integer") return "integer";
  if (schema.type === "number") return "number";
  return "text";
}

/**
 * The object branch of a field that is either a group of fields or nothing (`X | None`), else null.
 * @param {any} schema
 * @param {any} root
 * @returns {any}
 */
function optionalGroupOf(schema, root) {
  if (!Array.isArray(schema.anyOf) || schema.anyOf.length !== 2) return null;
  const branches = schema.anyOf.map((/** @type {any} */ b) => resolveRef(b, root));
  if (!branches.some((/** @type {any} */ b) => b.type === "null")) return null;
  return branches.find((/** @type {any} */ b) => b.type === "object" && b.properties) || null;
}

/**
 * One field of the policy form as it is being built.
 * @typedef {object} FieldSpec
 * @property {string} path dotted field path
 * @property {any} schema resolved
 * @property {any} value current value
 * @property {any} root the OpenAPI document
 * @property {boolean} required
 * @property {string} id
 * @property {string} label
 * @property {string} helpId
 * @property {HTMLElement | null} help
 */

/**
 * The error line of a group of fields, and its control's setError.
 * @param {HTMLElement} fieldset
 */
function groupErrorOf(fieldset) {
  const groupError = h("p", { class: "field-error", hidden: true, role: "alert" });
  fieldset.append(groupError);
  return (/** @type {string} */ message) => {
    groupError.textContent = message;
    groupError.hidden = !message;
  };
}

/**
 * The fields of a group, built into `container`.
 * @param {FieldSpec} spec
 * @param {any} group the group's object schema
 * @param {HTMLElement} container
 * @param {Control[]} controls
 */
function buildMembers(spec, group, container, controls) {
  for (const [name, sub] of Object.entries(group.properties || {})) {
    build(`${spec.path}.${name}`, sub, spec.value ? spec.value[name] : undefined, spec.root, container, controls,
      (group.required || []).includes(name));
  }
}

/**
 * A group of fields under its legend.
 * @param {FieldSpec} spec
 * @param {Control[]} controls
 */
function groupField(spec, controls) {
  const fieldset = h("fieldset", { class: "policy-group", tabindex: "-1" }, h("legend", {}, spec.label), spec.help);
  const setError = groupErrorOf(fieldset);
  buildMembers(spec, spec.schema, fieldset, controls);
  controls.push({ path: spec.path, read: () => undefined, setError, focusable: fieldset });
  return fieldset;
}

/**
 * A group of fields that may be left out: "Use: …" shows its fields; unchecked, the body holds null.
 * @param {FieldSpec} spec
 * @param {Control[]} controls
 */
function optionalGroupField(spec, controls) {
  const { id, label, path, value } = spec;
  const toggle = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id, checked: value !== null && value !== undefined }));
  const fields = h("div", { class: "policy-optional", hidden: !toggle.checked });
  toggle.addEventListener("change", () => {
    fields.hidden = !toggle.checked;
  });
  const fieldset = h("fieldset", { class: "policy-group", tabindex: "-1" }, h("legend", {}, label), spec.help,
    h("div", { class: "field check policy-check" }, toggle, h("label", { for: id }, `Use: ${label}`)), fields);
  const setError = groupErrorOf(fieldset);
  /** @type {Control[]} */
  const inner = [];
  buildMembers(spec, optionalGroupOf(spec.schema, spec.root), fields, inner);
  controls.push({ path, read: () => (toggle.checked ? valueAt(bodyOf(inner), path) ?? {} : null), setError, focusable: toggle });
  for (const control of inner) controls.push({ ...control, read: () => undefined });
  return fieldset;
}

/**
 * @param {FieldSpec} spec
 * @param {Control[]} controls
 */
function booleanField({ id, label, help, helpId, path, value, schema }, controls) {
  const input = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id, checked: Boolean(value ?? schema.default) }));
  const wrap = h("div", { class: "field check policy-check" }, input, h("label", { for: id }, label), help);
  if (help) input.setAttribute("aria-describedby", helpId);
  controls.push({ path, read: () => input.checked, setError: errorSlot(wrap, input, help ? helpId : ""), focusable: input });
  return wrap;
}

/**
 * Several choices of a list, as check boxes.
 * @param {FieldSpec} spec
 * @param {Control[]} controls
 */
function multiField({ id, label, help, helpId, path, value, schema, root }, controls) {
  /** @type {string[]} */
  const options = resolveRef(schema.items, root).enum || [];
  const chosen = new Set(Array.isArray(value) ? value : schema.default || []);
  const boxes = options.map((option) => {
    const boxId = `${id}-${option}`;
    const input = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", id: boxId, value: option, checked: chosen.has(option) }));
    return { option, input, boxId };
  });
  const fieldset = h("fieldset", { class: "policy-multi", id }, h("legend", {}, label), help,
    h("div", { class: "check-grid" }, boxes.map((b) => h("div", { class: "check" }, b.input,
      h("label", { for: b.boxId }, choiceLabel(path, b.option))))));
  if (help) fieldset.setAttribute("aria-describedby", helpId);
  const setError = errorSlot(fieldset, fieldset, help ? helpId : "");
  controls.push({
    path,
    read: () => boxes.filter((b) => b.input.checked).map((b) => b.option),
    setError,
    focusable: boxes.length ? boxes[0].input : fieldset,
  });
  return fieldset;
}

/**
 * "key = value" lines for a map of strings.
 * @param {FieldSpec} spec
 * @returns {{input: HTMLElement, read: () => any}}
 */
function mapInput({ id, value }) {
  const lines = value && typeof value === "object" ? Object.entries(value).map(([k, v]) => `${k} = ${v}`) : [];
  const input = /** @type {HTMLTextAreaElement} */ (h("textarea", { id, rows: 3, spellcheck: "false" }));
  input.value = lines.join("\n");
  const read = () => {
    /** @type {Record<string, string>} */
    const out = {};
    for (const line of input.value.split("\n")) {
      if (!line.trim()) continue;
      const at = line.indexOf("=");
      const key = (at < 0 ? line : line.slice(0, at)).trim();
      out[key] = at < 0 ? "" : line.slice(at + 1).trim();
    }
    return out;
  };
  return { input, read };
}

/**
 * A decimal typed as text (a percent field shows percent and reads a fraction); empty reads null where the
 * field may be null.
 * @param {FieldSpec} spec
 * @returns {{input: HTMLElement, read: () => any}}
 */
function decimalInput({ id, path, value, schema, root }) {
  const nullable = (schema.anyOf || []).some((/** @type {any} */ b) => resolveRef(b, root).type === "null");
  const percent = PERCENT_FIELDS.includes(path);
  const shown = value === null || value === undefined ? "" : String(value);
  const input = /** @type {HTMLInputElement} */ (h("input", { id, type: "text", inputmode: "decimal", autocomplete: "off",
    value: percent ? percentText(shown) : shown }));
  const read = () => {
    const raw = input.value.trim();
    if (raw === "") return nullable ? null : "";
    return percent ? fractionOf(raw) : raw;
  };
  return { input, read };
}

/**
 * @param {FieldSpec} spec
 * @param {"number" | "integer"} kind
 * @returns {{input: HTMLElement, read: () => any}}
 */
function numberInput({ id, value, schema }, kind) {
  const input = /** @type {HTMLInputElement} */ (h("input", { id, type: "number", inputmode: kind === "integer" ? "numeric" : "decimal",
    step: kind === "integer" ? 1 : "any",
    min: typeof schema.minimum === "number" ? schema.minimum : null,
    max: typeof schema.maximum === "number" ? schema.maximum : null,
    value: value === null || value === undefined ? (schema.default ?? "") : String(value) }));
  const read = () => {
    const raw = input.value.trim();
    if (raw === "") return "";
    const n = Number(raw);
    return Number.isFinite(n) ? n : raw;
  };
  return { input, read };
}

/**
 * The control of a single value and how to read it.
 * @param {FieldSpec} spec
 * @param {ControlKind} kind
 * @returns {{input: HTMLElement, read: () => any}}
 */
function inputOf(spec, kind) {
  const { id, path, value, schema } = spec;
  if (kind === "enum") {
    const input = /** @type {HTMLSelectElement} */ (h("select", { id }, schema.enum.map((/** @type {string} */ option) =>
      h("option", { value: option, selected: option === (value ?? schema.default) }, choiceLabel(path, option)))));
    return { input, read: () => input.value };
  }
  if (kind === "map") return mapInput(spec);
  if (kind === "decimal") return decimalInput(spec);
  if (kind === "number" || kind === "integer") return numberInput(spec, kind);
  const input = /** @type {HTMLInputElement} */ (h("input", { id, type: "text", autocomplete: "off",
    maxlength: typeof schema.maxLength === "number" ? schema.maxLength : null,
    value: value === null || value === undefined ? (schema.default ?? "") : String(value) }));
  return { input, read: () => input.value };
}

/**
 * A labelled control of a single value.
 * @param {FieldSpec} spec
 * @param {Control[]} controls
 * @param {ControlKind} kind
 */
function valueField(spec, controls, kind) {
  const { id, label, help, helpId, path, required } = spec;
  const { input, read } = inputOf(spec, kind);
  if (required) input.setAttribute("aria-required", "true");
  if (help) input.setAttribute("aria-describedby", helpId);
  const wrap = h("div", { class: "field" }, h("label", { for: id }, label, required ? " (required)" : ""), help, input);
  controls.push({ path, read, setError: errorSlot(wrap, input, help ? helpId : ""), focusable: input });
  return wrap;
}

/**
 * Build the control for one field; appends to container and pushes to controls.
 * @param {string} path
 * @param {any} rawSchema
 * @param {any} value current value
 * @param {any} root
 * @param {HTMLElement} container
 * @param {Control[]} controls
 * @param {boolean} required
 */
function build(path, rawSchema, value, root, container, controls, required) {
  const schema = resolveRef(rawSchema, root);
  const kind = kindOf(schema, root);
  const label = labelOf(path, schema);
  const id = idFor(path);
  const helpId = `${id}-help`;
  /** @type {FieldSpec} */
  const spec = { path, schema, value, root, required, id, label, helpId, help: helpOf(path, schema, helpId) };
  if (kind === "group") container.append(groupField(spec, controls));
  else if (kind === "optional-group") container.append(optionalGroupField(spec, controls));
  else if (kind === "boolean") container.append(booleanField(spec, controls));
  else if (kind === "multi") container.append(multiField(spec, controls));
  else container.append(valueField(spec, controls, kind));
}

/**
 * Assemble the body from the controls.
 * @param {Control[]} controls
 * @returns {any}
 */
function bodyOf(controls) {
  /** @type {any} */
  const body = {};
  for (const control of controls) {
    const value = control.read();
    if (value === undefined) continue;
    const parts = control.path.split(".");
    let target = body;
    for (const part of parts.slice(0, -1)) {
      if (!target[part] || typeof target[part] !== "object") target[part] = {};
      target = target[part];
    }
    target[parts[parts.length - 1]] = value;
  }
  return body;
}

/**
 * The value at a dotted path of an assembled body (undefined when absent).
 * @param {any} body
 * @param {string} path
 * @returns {any}
 */
function valueAt(body, path) {
  let target = body;
  for (const part of path.split(".")) {
    if (!target || typeof target !== "object") return undefined;
    target = target[part];
  }
  return target;
}

/**
 * Show errors next to the controls; returns messages that have no field of their own.
 * @param {Control[]} controls
 * @param {Record<string, string>} errors
 * @returns {string[]}
 */
function showFieldErrors(controls, errors) {
  /** @type {Record<string, string>} */
  const byPath = {};
  /** @type {string[]} */
  const rest = [];
  const paths = new Set(controls.map((c) => c.path));
  for (const [raw, message] of Object.entries(errors)) {
    let path = raw;
    while (path && !paths.has(path)) path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
    if (path && !(path in byPath)) byPath[path] = raw === path ? message : `${raw.slice(path.length + 1)}: ${message}`;
    else if (!path) rest.push(message);
  }
  for (const control of controls) control.setError(byPath[control.path] || "");
  const first = controls.find((c) => byPath[c.path]);
  if (first) first.focusable.focus();
  return rest;
}

/**
 * The policy view.
 * @param {{root: HTMLElement}} ctx
 * @returns {Promise<() => void>}
 */
export async function policyView({ root }) {
  const controller = new AbortController();
  const body = h("div", { class: "policy-body" }, loading("Loading your agent's policy…"));
  root.append(h("div", { class: "view manufacturer-view policy-view" },
    h("header", { class: "view-head" },
      h("h1", {}, "Agent policy"),
      h("p", { class: "lead" }, "How your agent handles orders and negotiates with suppliers. Changes apply from "
        + "the next order on.")),
    body));

  async function load() {
    clear(body).append(loading("Loading your agent's policy…"));
    try {
      const [current, openapi] = await Promise.all([
        api("/manufacturer/policy", { signal: controller.signal }),
        api("/openapi.json", { signal: controller.signal }),
      ]);
      render(current, openapi);
    } catch (err) {
      if (/** @type {any} */ (err).name === "AbortError") return;
      clear(body).append(errorBox(err, load));
    }
  }

  /**
   * @param {any} current PolicyPublic
   * @param {any} openapi
   */
  function render(current, openapi) {
    const schema = resolveRef({ $ref: "#/components/schemas/PolicyUpdate" }, openapi);
    if (!schema || !schema.properties) {
      clear(body).append(errorBox(new Error("The platform did not describe the policy fields."), load));
      return;
    }
    let version = current.version;
    /** @type {Control[]} */
    const controls = [];
    const alert = h("div", { class: "form-alert", "aria-live": "assertive" });
    const meta = h("p", { class: "muted" });
    const setMeta = (/** @type {any} */ p) => {
      meta.textContent = `Version ${p.version} · last changed ${dateTimeLabel(p.updated_at)}`;
    };
    setMeta(current);
    const form = h("form", { class: "policy-form", novalidate: true });
    const groups = [
      { title: "What happens by itself", names: ["auto_accept", "auto_source", "auto_receive_parts", "auto_produce",
        "auto_invoice", "auto_ship"] },
      { title: "Your workshop", names: ["capacity_hours_per_week", "own_processes", "sourced_processes", "production_days",
        "max_horizon_days"] },
      { title: "Prices", names: ["margin", "currency", "reservation"] },
      { title: "Negotiation with suppliers", names: ["strategy", "max_rounds", "deadline_seconds",
        "max_suppliers_per_part", "weights"] },
      { title: "Late deliveries and shipping", names: ["customer_penalty", "supplier_penalty", "carrier"] },
      { title: "How customers pay you", names: ["payment"] },
    ];
    const placed = new Set(groups.flatMap((g) => g.names));
    const others = Object.keys(schema.properties).filter((n) => !placed.has(n));
    if (others.length) groups.push({ title: "Other settings", names: others });
    for (const group of groups) {
      const names = group.names.filter((n) => n in schema.properties);
      if (!names.length) continue;
      const section = h("section", { class: "panel policy-section" }, h("h2", {}, group.title));
      for (const name of names) {
        build(name, schema.properties[name], current.policy ? current.policy[name] : undefined, openapi, section,
          controls, (schema.required || []).includes(name));
      }
      form.append(section);
    }
    const save = h("button", { type: "submit", class: "button primary" }, "Save policy");
    form.append(alert, h("div", { class: "actions" }, save));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clear(alert);
      const policy = bodyOf(controls);
      const errors = percentMessages(validatePolicy(policy, openapi));
      const rest = showFieldErrors(controls, errors);
      if (Object.keys(errors).length) {
        alert.append(h("p", { class: "form-error", role: "alert" },
          ["Some fields need attention.", ...rest].join(" ")));
        return;
      }
      /** @type {HTMLButtonElement} */ (save).disabled = true;
      try {
        const saved = await api("/manufacturer/policy", {
          method: "PUT", json: policy, headers: { "If-Match": `"${version}"` }, signal: controller.signal,
        });
        version = saved.version;
        setMeta(saved);
        notify(`Policy saved (version ${saved.version})`, { tone: "success" });
      } catch (err) {
        const e = /** @type {any} */ (err);
        if (e.name === "AbortError") return;
        const more = e.status === 422 ? showFieldErrors(controls, percentMessages(e.fieldErrors || {})) : [];
        const text = e.status === 412
          ? "Someone changed the policy in the meantime, so it was not saved. Reload it, then make your change again."
          : [humanMessage(e), ...more].join(" ");
        alert.append(h("div", { class: "form-error", role: "alert" }, h("p", {}, text),
          e.status === 412 ? h("button", { type: "button", class: "button secondary", on: { click: load } },
            "Reload policy") : null));
      } finally {
        /** @type {HTMLButtonElement} */ (save).disabled = false;
      }
    });
    const table = h("details", { class: "panel policy-explained" },
      h("summary", {}, "What each setting changes in your agent's behaviour"),
      h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Settings explained" },
        h("table", {},
          h("caption", {}, "Policy settings explained"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Setting"), h("th", { scope: "col" }, "What it changes"))),
          h("tbody", {}, Object.entries(EXPLANATIONS).map(([path, text]) =>
            h("tr", {}, h("th", { scope: "row" }, LABELS[path] || path), h("td", {}, text)))))));
    clear(body).append(meta, form, table);
  }

  await load();
  return () => controller.abort();
}

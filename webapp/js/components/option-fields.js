/**
 * A product's options as form fields, one per kind, and an order's values for its manufacturer.
 *
 *   const options = optionFields(product, { selections, fields, currency, onChange: updatePrice });
 *   form.append(...options.wraps);
 *   options.check()   // -> problems by field name ("numbers.body-height": "Enter a number ...")
 *   options.values()  // -> {numbers, texts, files} of the POST /orders body
 *   options.busy()    // -> true while a file is uploading
 *
 * A choice option is a select (the chosen label is repeated under it, wrapping, when it is too long for
 * a phone's select); a number option a decimal input with its unit and range; a text option an input with
 * a character counter; a file option a file input that uploads at once (POST /uploads, with progress) and
 * says what it takes and what went wrong. Options that apply only to some choices show only then.
 * @module components/option-fields
 */

import { h, clear } from "../core/dom.js";
import { ApiError } from "../core/api.js";
import { humanMessage } from "../core/errors.js";
import { money } from "../core/format.js";
import { loadProduct } from "../core/products.js";
import { currentSession } from "../core/session.js";
import { deltaParts } from "../logic/price.js";
import {
  optionKind, optionApplies, numberHint, fileHint, fileAccept, checkNumber, checkText, checkFile, orderValues,
  valueLines, sizeWords,
} from "../logic/option-values.js";
import { field } from "./fields.js";

/** A choice label longer than this may not fit a phone's select: it is repeated under it. */
const LONG_LABEL = 30;

/**
 * Text of a choice in its select: "Aluminium (+€90.00)", "80 cm (−€40.00)", "Steel".
 * @param {any} choice
 * @param {string} currency
 */
function choiceText(choice, currency) {
  const { sign, amount } = deltaParts(choice.cost_delta);
  if (!sign) return choice.label;
  return `${choice.label} (${sign === "+" ? "+" : "−"}${money(amount, currency)})`;
}

/**
 * Upload a file (POST /uploads, multipart) reporting progress from 0 to 1.
 * @param {File} file
 * @param {(fraction: number) => void} onProgress
 * @returns {Promise<any>} the UploadPublic
 */
export function uploadFile(file, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/uploads");
    request.setRequestHeader("Accept", "application/json");
    const session = currentSession();
    if (session && session.token) request.setRequestHeader("Authorization", `Bearer ${session.token}`);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      /** @type {any} */
      let data;
      try {
        data = request.responseText ? JSON.parse(request.responseText) : null;
      } catch {
        data = null;
      }
      if (request.status >= 200 && request.status < 300) {
        resolve(data);
        return;
      }
      reject(new ApiError({
        status: request.status,
        title: (data && data.title) || request.statusText,
        detail: (data && data.detail) || "",
        problem: data,
        requestId: (data && data.request_id) || request.getResponseHeader("X-Request-ID") || "",
        path: "/uploads",
      }));
    });
    request.addEventListener("error", () => {
      reject(new ApiError({ status: 0, title: "Network error", detail: "the upload did not reach the platform", path: "/uploads" }));
    });
    const form = new FormData();
    form.append("file", file, file.name);
    request.send(form);
  });
}

/**
 * Why an upload failed, in words: the gateway's own sentence for a file it refused.
 * @param {any} error
 */
function uploadProblem(error) {
  if (error && [413, 415, 422].includes(error.status) && error.detail) return `Not uploaded: ${error.detail}.`;
  return `Not uploaded. ${humanMessage(error)}`;
}

/**
 * @typedef {import("./fields.js").Field} Field
 * @typedef {{wraps: HTMLElement[], check: () => Record<string, string>,
 *   values: () => {numbers: Record<string, string>, texts: Record<string, string>, files: Record<string, string>},
 *   busy: () => boolean}} OptionFields
 */

/**
 * The fields of every option of a product.
 * @param {any} product ProductPublic
 * @param {{selections: Record<string, string>, fields: Record<string, Field>, currency: string, onChange: () => void}} context
 *   selections: option id -> choice id, kept current here; fields: where each field is registered under its
 *   body name (options.<id>, numbers.<id>, texts.<id>, files.<id>); onChange: called when a choice changes
 * @returns {OptionFields}
 */
export function optionFields(product, { selections, fields, currency, onChange }) {
  /** @type {{numbers: Record<string, string>, texts: Record<string, string>, files: Record<string, string>}} */
  const raw = { numbers: {}, texts: {}, files: {} };
  /** @type {Record<string, string>} why the file picked for an option was not taken */
  const fileProblems = {};
  /** @type {Array<{option: any, wrap: HTMLElement}>} */
  const conditional = [];
  let uploading = 0;

  function showApplicable() {
    for (const { option, wrap } of conditional) wrap.hidden = !optionApplies(option, selections);
  }

  /** @param {any} option */
  function choiceField(option) {
    const full = h("p", { class: "choice-full help" });
    const showFull = () => {
      const choice = (option.choices || []).find((/** @type {any} */ c) => c.id === selections[option.id]);
      const text = choice ? choiceText(choice, currency) : "";
      full.textContent = text.length > LONG_LABEL ? text : "";
      full.hidden = !full.textContent;
    };
    const select = /** @type {HTMLSelectElement} */ (h(
      "select",
      { name: option.id, on: { change: () => {
        selections[option.id] = select.value;
        showFull();
        showApplicable();
        onChange();
      } } },
      option.required ? null : h("option", { value: "" }, "None"),
      (option.choices || []).map((/** @type {any} */ choice) => h("option", { value: choice.id }, choiceText(choice, currency))),
    ));
    select.value = selections[option.id];
    const f = field(option.label, select, { hint: option.required ? "" : "Optional" });
    select.after(full);
    showFull();
    fields[`options.${option.id}`] = f;
    return f;
  }

  /** @param {any} option */
  function numberField(option) {
    const spec = option.number;
    const input = /** @type {HTMLInputElement} */ (h("input", {
      type: "text",
      inputmode: "decimal",
      name: `numbers.${option.id}`,
      autocomplete: "off",
      value: spec.default ?? "",
      on: { input: () => { raw.numbers[option.id] = input.value; } },
    }));
    raw.numbers[option.id] = input.value;
    const f = field(option.label, input, { hint: numberHint(spec) + (option.required === false ? " Optional." : "") });
    const box = h("div", { class: "input-unit" });
    input.replaceWith(box);
    box.append(input, h("span", { class: "unit", "aria-hidden": "true" }, spec.unit));
    fields[`numbers.${option.id}`] = f;
    return f;
  }

  /** @param {any} option */
  function textField(option) {
    const spec = option.text;
    const counter = h("p", { class: "text-counter help", "aria-live": "polite" });
    const count = () => {
      const used = [...input.value].length;
      counter.textContent = `${used} of ${spec.max_length} characters`;
      counter.classList.toggle("over", used > spec.max_length);
    };
    const input = /** @type {HTMLInputElement} */ (h("input", {
      type: "text",
      name: `texts.${option.id}`,
      autocomplete: "off",
      on: { input: () => { raw.texts[option.id] = input.value; count(); } },
    }));
    const hints = [spec.pattern_hint ? `Use ${spec.pattern_hint}.` : "", option.required === false ? "Optional." : ""];
    const f = field(option.label, input, { hint: hints.filter(Boolean).join(" ") });
    input.after(counter);
    count();
    fields[`texts.${option.id}`] = f;
    return f;
  }

  /** @param {any} option */
  function fileField(option) {
    const spec = option.file;
    const progress = /** @type {HTMLProgressElement} */ (h("progress", { max: "1", value: "0", hidden: true }));
    const status = h("p", { class: "upload-status help", "aria-live": "polite" });
    const input = /** @type {HTMLInputElement} */ (h("input", {
      type: "file",
      name: `files.${option.id}`,
      accept: fileAccept(spec),
      on: { change: () => pick() },
    }));
    const f = field(option.label, input, { hint: fileHint(spec) + (option.required === false ? " Optional." : "") });
    input.after(progress, status);
    fields[`files.${option.id}`] = f;

    async function pick() {
      const file = input.files && input.files[0];
      delete raw.files[option.id];
      delete fileProblems[option.id];
      f.setError("");
      clear(status);
      if (!file) return;
      const problem = checkFile(option, file);
      if (problem) {
        fileProblems[option.id] = problem;
        f.setError(problem);
        return;
      }
      uploading += 1;
      progress.hidden = false;
      progress.value = 0;
      status.textContent = `Uploading “${file.name}”…`;
      try {
        const stored = await uploadFile(file, (fraction) => { progress.value = fraction; });
        raw.files[option.id] = stored.id;
        status.textContent = `Uploaded: “${stored.name}”, ${sizeWords(stored.size)}.`;
      } catch (error) {
        clear(status);
        fileProblems[option.id] = uploadProblem(error);
        f.setError(fileProblems[option.id]);
      } finally {
        uploading -= 1;
        progress.hidden = true;
      }
    }
    return f;
  }

  const wraps = (product.options || []).map((/** @type {any} */ option) => {
    const kind = optionKind(option);
    const f = kind === "number" ? numberField(option)
      : kind === "text" ? textField(option)
        : kind === "file" ? fileField(option)
          : choiceField(option);
    if (option.only_when) conditional.push({ option, wrap: f.wrap });
    return f.wrap;
  });
  showApplicable();

  return {
    wraps,
    check() {
      /** @type {Record<string, string>} */
      const problems = {};
      for (const option of product.options || []) {
        const kind = optionKind(option);
        if (kind === "choice" || !optionApplies(option, selections)) continue;
        const key = `${kind}s.${option.id}`;
        if (kind === "number") problems[key] = checkNumber(option, raw.numbers[option.id] ?? "");
        else if (kind === "text") problems[key] = checkText(option, raw.texts[option.id] ?? "");
        else if (fileProblems[option.id]) problems[key] = fileProblems[option.id];
        else if (!raw.files[option.id] && option.required !== false) problems[key] = "Choose a file.";
        if (!problems[key]) delete problems[key];
      }
      return problems;
    },
    values: () => orderValues(product, selections, raw),
    busy: () => uploading > 0,
  };
}

/**
 * Download a file an order was given: fetched with the session's token, then saved under its name.
 * @param {string} orderId
 * @param {{upload_id: string, name: string}} file
 */
async function download(orderId, file) {
  const session = currentSession();
  const response = await fetch(`/orders/${encodeURIComponent(orderId)}/files/${encodeURIComponent(file.upload_id)}`, {
    headers: session && session.token ? { Authorization: `Bearer ${session.token}` } : {},
    cache: "no-store",
  });
  if (!response.ok) throw new ApiError({ status: response.status, title: response.statusText, path: "/orders" });
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: file.name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The rows of the values the customer gave (measurements with their units, texts, files with a download
 * button).
 * @param {any} order OrderPublic
 * @param {any} product ProductPublic, or null (ids stand in for labels)
 * @returns {HTMLElement[]}
 */
function valueRows(order, product) {
  return valueLines(product, order).flatMap((line) => {
    if (!line.file) return [h("dt", {}, line.label), h("dd", {}, line.text)];
    const problem = h("span", { class: "field-error", role: "alert" });
    const file = line.file;
    const button = h("button", { type: "button", class: "button small", on: { click: async () => {
      problem.textContent = "";
      try {
        await download(order.id, file);
      } catch (error) {
        problem.textContent = humanMessage(error);
      }
    } } }, `Download ${file.name}`);
    return [h("dt", {}, line.label), h("dd", {}, h("span", { class: "file-line" }, line.text), " ", button, problem)];
  });
}

/**
 * What the customer gave for the order's number, text and file options, labelled from the order's
 * product (loaded, or taken from the page's cache); null when the order has no such values.
 * @param {any} order OrderPublic
 * @param {string} [heading] the box's title, for whoever reads it
 * @returns {HTMLElement | null}
 */
export function orderValuesList(order, heading = "The customer's measurements, texts and files") {
  if (!valueLines(null, order).length) return null;
  const list = h("dl", { class: "kv option-values", "data-testid": "option-values" }, valueRows(order, null));
  loadProduct(order.product_id).then(
    (product) => clear(list).append(...valueRows(order, product)),
    () => {}, // the option ids stay
  );
  return h("section", { class: "option-values-box" }, h("h3", {}, heading), list);
}

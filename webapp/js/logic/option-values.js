/**
 * Options beyond choices (pure: no DOM, importable by `node --test`): numbers with a unit and a range,
 * texts with limits, files of some types up to a size. Which options apply, the hints shown next to
 * their fields, the checks made before anything is sent (the gateway checks again, and judges a file by
 * its content), the `numbers`/`texts`/`files` of an OrderCreate body, and the values of an order in words.
 * @module logic/option-values
 */

import { parseDecimal, formatDecimal } from "./price.js";

/** What people call each media type a file option may accept. */
export const MEDIA_TYPE_NAMES = Object.freeze({
  "application/pdf": "PDF",
  "image/png": "PNG",
  "image/jpeg": "JPEG",
  "image/svg+xml": "SVG",
  "model/step": "STEP",
  "model/stl": "STL",
  "image/vnd.dxf": "DXF",
});

/** File name endings of each media type (for the file picker and the check before uploading). */
export const MEDIA_TYPE_EXTENSIONS = Object.freeze({
  "application/pdf": [".pdf"],
  "image/png": [".png"],
  "image/jpeg": [".jpg", ".jpeg"],
  "image/svg+xml": [".svg"],
  "model/step": [".step", ".stp"],
  "model/stl": [".stl"],
  "image/vnd.dxf": [".dxf"],
});

/**
 * @param {{kind?: string}} option
 * @returns {"choice"|"number"|"text"|"file"}
 */
export function optionKind(option) {
  const kind = option.kind || "choice";
  return kind === "number" || kind === "text" || kind === "file" ? kind : "choice";
}

/**
 * Whether an option applies to the chosen choices (an option with `only_when` applies only while that
 * choice option has one of the listed choices).
 * @param {{only_when?: {option: string, choices: string[]} | null}} option
 * @param {Record<string, string>} selections option id -> choice id
 */
export function optionApplies(option, selections) {
  const condition = option.only_when;
  if (!condition) return true;
  return (condition.choices || []).includes(selections[condition.option] || "");
}

/**
 * A decimal as people write it: "180", "84.5".
 * @param {string|number} value
 */
export function numberText(value) {
  const units = parseDecimal(value);
  if (units === null) return String(value);
  return formatDecimal(units).replace(/\.?0+$/, "");
}

/**
 * A size as people read it: "820 bytes", "35 kB", "20 MB".
 * @param {number} size bytes
 */
export function sizeWords(size) {
  if (size < 1000) return `${size} bytes`;
  if (size < 1_000_000) return `${Number((size / 1000).toPrecision(3))} kB`;
  return `${Number((size / 1_000_000).toPrecision(3))} MB`;
}

/**
 * "A, B or C".
 * @param {string[]} words
 */
function orList(words) {
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}`;
}

/**
 * The hint of a number field: "From 140 to 210 cm, in steps of 0.5."
 * @param {{unit: string, minimum: string, maximum: string, step?: string|null}} spec
 */
export function numberHint(spec) {
  const words = rangeWords(spec);
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}.`;
}

/**
 * "from 140 to 210 cm, in steps of 0.5"
 * @param {{unit: string, minimum: string, maximum: string, step?: string|null}} spec
 */
function rangeWords(spec) {
  const range = `from ${numberText(spec.minimum)} to ${numberText(spec.maximum)} ${spec.unit}`;
  return spec.step ? `${range}, in steps of ${numberText(spec.step)}` : range;
}

/**
 * The hint of a file field: "A STEP, STL, DXF or PDF file of up to 20 MB."
 * @param {{media_types: string[], max_bytes: number}} spec
 */
export function fileHint(spec) {
  const names = spec.media_types.map((type) => MEDIA_TYPE_NAMES[/** @type {keyof MEDIA_TYPE_NAMES} */ (type)] || type);
  return `A ${orList(names)} file of up to ${sizeWords(spec.max_bytes)}.`;
}

/**
 * The `accept` attribute of a file input: the types and their name endings.
 * @param {{media_types: string[]}} spec
 */
export function fileAccept(spec) {
  const endings = spec.media_types.flatMap(
    (type) => MEDIA_TYPE_EXTENSIONS[/** @type {keyof MEDIA_TYPE_EXTENSIONS} */ (type)] || [],
  );
  return [...spec.media_types, ...endings].join(",");
}

/**
 * What is wrong with a number typed into a number option's field ("" when nothing is).
 * A comma is taken as the decimal point ("84,5").
 * @param {{label: string, required?: boolean, number: {unit: string, minimum: string, maximum: string, step?: string|null}}} option
 * @param {string} raw
 */
export function checkNumber(option, raw) {
  const text = String(raw ?? "").trim().replace(",", ".");
  const spec = option.number;
  if (!text) return option.required === false ? "" : `Enter ${option.label.toLowerCase()} in ${spec.unit}.`;
  const value = parseDecimal(text);
  const min = parseDecimal(spec.minimum);
  const max = parseDecimal(spec.maximum);
  if (value === null || min === null || max === null) return `Enter a number, such as ${numberText(spec.minimum)}.`;
  if (value < min || value > max) return `Enter a number ${rangeWords(spec)}.`;
  const step = spec.step ? parseDecimal(spec.step) : null;
  if (step && step > 0n && (value - min) % step !== 0n) {
    return `Use steps of ${numberText(spec.step || "")} ${spec.unit} (such as ${numberText(spec.minimum)}).`;
  }
  return "";
}

/**
 * What is wrong with a text typed into a text option's field ("" when nothing is).
 * @param {{label: string, required?: boolean, text: {max_length: number, pattern?: string|null, pattern_hint?: string}}} option
 * @param {string} raw
 */
export function checkText(option, raw) {
  const text = String(raw ?? "");
  const spec = option.text;
  if (!text.trim()) return option.required === false ? "" : `Enter ${option.label.toLowerCase()}.`;
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (/[\u0000-\u001f\u007f]/.test(text)) return "Write it on one line.";
  if ([...text].length > spec.max_length) return `Use at most ${spec.max_length} characters.`;
  if (spec.pattern) {
    let pattern;
    try {
      pattern = new RegExp(`^(?:${spec.pattern})$`, "u");
    } catch {
      pattern = null; // a pattern JavaScript does not read: the gateway checks it
    }
    if (pattern && !pattern.test(text)) return `Use ${spec.pattern_hint || "the allowed characters"} only.`;
  }
  return "";
}

/**
 * What is wrong with a file picked for a file option, before it is uploaded ("" when nothing is): its
 * size, and its type as the browser or its name tells (the gateway judges the content).
 * @param {{file: {media_types: string[], max_bytes: number}}} option
 * @param {{name: string, size: number, type?: string}} file
 */
export function checkFile(option, file) {
  const spec = option.file;
  const name = file.name.toLowerCase();
  const known = spec.media_types.some((type) => type === file.type
    || (MEDIA_TYPE_EXTENSIONS[/** @type {keyof MEDIA_TYPE_EXTENSIONS} */ (type)] || []).some((end) => name.endsWith(end)));
  if (!known) return `“${file.name}” is not one of the accepted files. ${fileHint(spec)}`;
  if (file.size === 0) return `“${file.name}” is empty.`;
  if (file.size > spec.max_bytes) {
    return `“${file.name}” has ${sizeWords(file.size)}; at most ${sizeWords(spec.max_bytes)} is accepted.`;
  }
  return "";
}

/**
 * The `numbers`, `texts` and `files` of an OrderCreate body: the values of the options that apply, left
 * out when empty.
 * @param {{options?: Array<any>}} product
 * @param {Record<string, string>} selections option id -> choice id
 * @param {{numbers: Record<string, string>, texts: Record<string, string>, files: Record<string, string>}} raw
 *   what the fields hold (files: the upload id per option)
 */
export function orderValues(product, selections, raw) {
  /** @type {{numbers: Record<string, string>, texts: Record<string, string>, files: Record<string, string>}} */
  const out = { numbers: {}, texts: {}, files: {} };
  for (const option of product.options || []) {
    const kind = optionKind(option);
    if (kind === "choice" || !optionApplies(option, selections)) continue;
    const key = /** @type {"numbers"|"texts"|"files"} */ (`${kind}s`);
    const value = String(raw[key][option.id] ?? "");
    if (!value.trim()) continue;
    out[key][option.id] = kind === "number" ? value.trim().replace(",", ".") : value;
  }
  return out;
}

/**
 * The values an order was given for its number, text and file options, in the product's option order:
 * label and words ("Body height", "182 cm"), and for a file its upload id, name and size.
 * @param {{options?: Array<any>} | null} product (null: labels fall back to the option ids)
 * @param {{numbers?: Record<string, string>, texts?: Record<string, string>, files?: Record<string, any>}} order
 * @returns {Array<{id: string, label: string, text: string, file: {upload_id: string, name: string, size: number} | null}>}
 */
export function valueLines(product, order) {
  const options = new Map((product && product.options ? product.options : []).map((o) => [o.id, o]));
  const ids = [...options.keys(), ...Object.keys(order.numbers || {}), ...Object.keys(order.texts || {}),
    ...Object.keys(order.files || {})];
  /** @type {Array<{id: string, label: string, text: string, file: any}>} */
  const lines = [];
  for (const id of new Set(ids)) {
    const option = options.get(id);
    const label = option ? option.label : id;
    if (order.numbers && id in order.numbers) {
      const unit = option && option.number ? ` ${option.number.unit}` : "";
      lines.push({ id, label, text: `${numberText(order.numbers[id])}${unit}`, file: null });
    } else if (order.texts && id in order.texts) {
      lines.push({ id, label, text: order.texts[id], file: null });
    } else if (order.files && id in order.files) {
      const file = order.files[id];
      lines.push({ id, label, text: `${file.name} (${sizeWords(file.size)})`, file });
    }
  }
  return lines;
}

/**
 * Small helpers to build DOM trees without innerHTML.
 * @module core/dom
 */

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * Append children (nested arrays, nodes, strings, numbers; null/false/undefined skipped).
 * @param {Element} el
 * @param {Array<any>} children
 */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === true) continue;
    if (Array.isArray(child)) {
      append(el, child);
    } else if (typeof child === "string" || typeof child === "number") {
      el.appendChild(document.createTextNode(String(child)));
    } else {
      el.appendChild(child);
    }
  }
}

/**
 * Apply attributes to an element.
 * @param {Element} el
 * @param {Record<string, any>} attrs
 * @param {boolean} isSvg
 */
function applyAttrs(el, attrs, isSvg) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class" || key === "className") {
      el.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : String(value));
    } else if (key === "text") {
      el.textContent = String(value);
    } else if (key === "on") {
      for (const [event, handler] of Object.entries(value)) el.addEventListener(event, handler);
    } else if (key === "dataset") {
      for (const [name, v] of Object.entries(value)) {
        if (v !== null && v !== undefined) /** @type {HTMLElement} */ (el).dataset[name] = String(v);
      }
    } else if (!isSvg && (key === "value" || key === "checked" || key === "selected" || key === "disabled")
      && key in el) {
      /** @type {any} */ (el)[key] = value;
      if (key !== "value" && value === true) el.setAttribute(key, "");
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
}

/**
 * Create an HTML element.
 * @param {string} tag
 * @param {Record<string, any>} [attrs] class, text, on: {event: handler}, dataset: {}, or any attribute
 * @param {...any} children Node | string | number | null | false | arrays of these
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  applyAttrs(el, attrs, false);
  append(el, children);
  return el;
}

/**
 * Create an SVG element (SVG namespace).
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...any} children
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  applyAttrs(el, attrs, true);
  append(el, children);
  return el;
}

/**
 * Remove all children of an element.
 * @template {Element} T
 * @param {T} el
 * @returns {T}
 */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

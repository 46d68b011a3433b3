/**
 * The supply network of an order as a picture (SVG): the manufacturer, the parts it sources and the
 * supplier of each part with price and delivery. With live offers it shows the network forming:
 * candidate suppliers faintly, chosen ones strongly. The customer's view of a network (the API's
 * `{parts: [{part_id, process, expected_date}]}`, without suppliers or prices) shows each part and when it
 * is expected.
 * @module components/network
 */

import { h, svg } from "../core/dom.js";
import { codeWords, dateLabel, money } from "../core/format.js";

const WIDTH = 376;
const ROW = 42;
const TOP = 8;
const MAKER = { x: 4, w: 98 };
const PART = { x: 118, w: 112 };
const SUPPLIER = { x: 246, w: 126 };

/**
 * @typedef {object} Candidate
 * @property {string} supplier
 * @property {string} price
 * @property {string} currency
 * @property {string} delivery_date
 * @property {boolean} chosen
 */

/**
 * Shorten a label to fit a box.
 * @param {string} text
 * @param {number} max
 * @returns {string}
 */
function fit(text, max) {
  const s = String(text || "");
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * A part as people name it: its description, else its id in words.
 * @param {any} part
 */
function partWords(part) {
  return String(part && part.description ? part.description : "") || codeWords(part && part.part_id) || "part";
}

/**
 * @typedef {object} Row
 * @property {string} part_id
 * @property {string} label the part in words: its description, else its id
 * @property {string} process the process in words ("textile cutting sewing")
 * @property {Candidate[]} candidates
 * @property {string|null} expected the customer's view: when the part is expected ("" unknown); null otherwise
 */

/**
 * Rows per part: chosen suppliers from the network, candidates from live offers; the customer's view: each
 * part and when it is expected.
 * @param {any} network
 * @param {{parts: any[]} | null | undefined} offers
 * @returns {Row[]}
 */
export function networkRows(network, offers) {
  if (network && Array.isArray(network.parts)) {
    return network.parts.map((/** @type {any} */ part) => ({
      part_id: String(part.part_id || "part"),
      label: partWords(part),
      process: codeWords(part.process),
      candidates: [],
      expected: String(part.expected_date || ""),
    }));
  }
  /** @type {Map<string, Row>} */
  const parts = new Map();
  /** @param {string} id */
  const entry = (id) => {
    let e = parts.get(id);
    if (!e) {
      e = { part_id: id, label: codeWords(id), process: "", candidates: [], expected: null };
      parts.set(id, e);
    }
    return e;
  };
  const assignments = network && Array.isArray(network.assignments) ? network.assignments : [];
  for (const a of assignments) {
    const part = a && a.part ? a.part : {};
    const offer = a && a.offer ? a.offer : {};
    const e = entry(String(part.part_id || offer.part_id || "part"));
    e.label = partWords(part);
    e.process = codeWords(part.process);
    e.candidates.push({
      supplier: String(offer.supplier_id || "supplier"),
      price: String(offer.price ?? ""),
      currency: String(offer.currency || "EUR"),
      delivery_date: String(offer.delivery_date || ""),
      chosen: true,
    });
  }
  for (const part of (offers && Array.isArray(offers.parts) ? offers.parts : [])) {
    const e = entry(String(part.part_id));
    for (const s of part.suppliers || []) {
      const latest = s.offers && s.offers.length ? s.offers[s.offers.length - 1] : null;
      if (!latest) continue;
      const accepted = s.offers.find((/** @type {any} */ o) => o.outcome === "accepted");
      const existing = e.candidates.find((c) => c.supplier === s.supplier);
      if (existing) continue;
      const shown = accepted || latest;
      e.candidates.push({
        supplier: String(s.supplier),
        price: String(shown.price ?? ""),
        currency: String(shown.currency || "EUR"),
        delivery_date: String(shown.delivery_date || ""),
        chosen: Boolean(accepted),
      });
    }
  }
  for (const e of parts.values()) {
    e.candidates.sort((a, b) => Number(b.chosen) - Number(a.chosen) || a.supplier.localeCompare(b.supplier));
  }
  return [...parts.values()];
}

/**
 * One node (rounded box with up to two lines of text).
 * @param {{x: number, w: number}} column
 * @param {number} y top
 * @param {number} height
 * @param {string} kind css modifier
 * @param {string} line1
 * @param {string} [line2]
 * @param {string} [full] full text for a tooltip
 * @returns {SVGElement}
 */
function node(column, y, height, kind, line1, line2, full) {
  const cx = column.x + 8;
  const mid = y + height / 2;
  return svg("g", { class: `net-node net-${kind}` },
    full ? svg("title", {}, full) : null,
    svg("rect", { x: column.x, y, width: column.w, height, rx: 6, ry: 6 }),
    svg("text", { x: cx, y: line2 ? mid - 3 : mid + 4, class: "net-label" }, line1),
    line2 ? svg("text", { x: cx, y: mid + 11, class: "net-sub" }, line2) : null);
}

/**
 * A curved link between two points.
 * @param {number} x1
 * @param {number} y1
 * @param {number} x2
 * @param {number} y2
 * @param {boolean} strong
 * @returns {SVGElement}
 */
function link(x1, y1, x2, y2, strong) {
  const dx = (x2 - x1) / 2;
  return svg("path", {
    d: `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`,
    class: strong ? "net-link net-strong" : "net-link net-faint",
  });
}

/**
 * The supply network picture.
 * @param {any} supplyNetwork OrderPublic.supply_network ({assignments: [{part, offer}]}) or null
 * @param {{title?: string, offers?: {parts: any[]} | null, manufacturer?: string,
 *   supplierName?: (supplierId: string) => string}} [options]
 *   offers: groupOffers() of the transcript, to draw candidate suppliers while negotiating;
 *   supplierName: a supplier in words (its name), where the reader may know it (the manufacturer)
 * @returns {HTMLElement}
 */
export function supplyNetworkPicture(supplyNetwork, { title, offers, manufacturer, supplierName } = {}) {
  const named = supplierName || ((/** @type {string} */ id) => id);
  const rows = networkRows(supplyNetwork, offers);
  if (!rows.length) {
    return h("div", { class: "state state-empty network-empty" },
      h("p", {}, "No supply network yet. It forms while the manufacturer's agent negotiates with suppliers."));
  }
  const makerName = manufacturer || "Manufacturer";
  /** @type {SVGElement[]} */
  const links = [];
  /** @type {SVGElement[]} */
  const nodes = [];
  /** @type {string[]} */
  const said = [];
  let y = TOP;
  const partCentres = [];
  for (const row of rows) {
    const count = Math.max(1, row.candidates.length);
    const groupHeight = count * ROW;
    const partY = y + groupHeight / 2 - 17;
    const partMid = partY + 17;
    partCentres.push(partMid);
    const anyChosen = row.expected !== null || row.candidates.some((c) => c.chosen);
    nodes.push(node(PART, partY, 34, anyChosen ? "part chosen" : "part", fit(row.label, 17),
      row.process ? fit(row.process, 19) : undefined, row.label));
    if (row.expected !== null) {
      const due = row.expected ? `expected ${dateLabel(row.expected)}` : "date to come";
      links.push(link(PART.x + PART.w, partMid, SUPPLIER.x, partMid, true));
      nodes.push(node(SUPPLIER, partY, 34, "supplier chosen", "From a supplier", due, `${row.label}: ${due}`));
      said.push(`${row.label} from a supplier, ${due}`);
    } else if (!row.candidates.length) said.push(`${row.label}: no supplier yet`);
    row.candidates.forEach((c, i) => {
      const name = named(c.supplier);
      const top = y + i * ROW + 3;
      const mid = top + 17;
      const terms = `${money(c.price, c.currency)} · ${c.delivery_date ? dateLabel(c.delivery_date) : "—"}`;
      links.push(link(PART.x + PART.w, partMid, SUPPLIER.x, mid, c.chosen));
      nodes.push(node(SUPPLIER, top, 34, c.chosen ? "supplier chosen" : "supplier candidate",
        fit(name, 19), terms, `${name}: ${terms}${c.chosen ? " (chosen)" : " (candidate)"}`));
      said.push(`${row.label} ${c.chosen ? "from" : "offered by"} ${name} at ${money(c.price, c.currency)}`
        + `${c.delivery_date ? `, delivery ${dateLabel(c.delivery_date)}` : ""}`);
    });
    y += groupHeight + 6;
  }
  const height = y + TOP - 6;
  const makerY = height / 2 - 20;
  for (let i = 0; i < rows.length; i += 1) {
    links.unshift(link(MAKER.x + MAKER.w, height / 2, PART.x, partCentres[i],
      rows[i].expected !== null || rows[i].candidates.some((c) => c.chosen)));
  }
  nodes.unshift(node(MAKER, makerY, 40, "maker", fit(makerName, 13), "makes it", makerName));
  const head = !title ? "Supply network" : /^supply network/i.test(title) ? `Supply network${title.slice(14)}`
    : `Supply network of ${title}`;
  const label = `${head}: ${makerName} sources ${rows.length} `
    + `part${rows.length === 1 ? "" : "s"}; ${said.join("; ")}.`;
  const picture = svg("svg", {
    class: "network-svg",
    role: "img",
    "aria-label": label,
    viewBox: `0 0 ${WIDTH} ${height}`,
    width: WIDTH,
    height,
    preserveAspectRatio: "xMinYMin meet",
  }, svg("g", { class: "net-links" }, links), svg("g", { class: "net-nodes" }, nodes));
  const hasCandidates = rows.some((r) => r.candidates.some((c) => !c.chosen));
  const legend = rows.some((r) => r.expected !== null)
    ? "Each part the manufacturer sources, and when it is expected."
    : hasCandidates ? "Solid: chosen supplier. Dashed: candidate still negotiating or not chosen."
      : "Each part and the supplier chosen for it, with price and delivery date.";
  return h("figure", { class: "network" }, picture, h("figcaption", { class: "network-legend" }, legend));
}

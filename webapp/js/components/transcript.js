/**
 * The negotiation transcript of an order as readable conversations: who said what, when, and what it meant —
 * in words, never ids, codes or protocol terms.
 * @module components/transcript
 */

import { h } from "../core/dom.js";
import { codeWords, dateLabel, dateTimeLabel, money, statusLabel } from "../core/format.js";
import { productName } from "../core/products.js";
import { REASONS, SOME_REASON, eventSentence } from "../logic/timeline.js";
import { supplierDirectory } from "../logic/offers.js";

/** @typedef {import("../logic/offers.js").SupplierProfile} SupplierProfile */

/**
 * Who reads the transcript: its customer (who only has its conversation with the manufacturer), the
 * manufacturer (who has everything), or "" when not known: words right for both, nothing for the manufacturer only.
 * @typedef {"customer" | "manufacturer" | ""} Audience
 */

/**
 * What the words of a message depend on besides its content.
 * @typedef {object} TranscriptContext
 * @property {Audience} [audience]
 * @property {Record<string, SupplierProfile>} [suppliers] supplier id -> profile (logic/offers.js supplierDirectory)
 * @property {Record<string, string>} [parts] part id -> its description
 * @property {string} [performative] the performative of the message whose content is told
 */

/**
 * @typedef {object} MessageWords
 * @property {string} from        the sender, starting a sentence ("Your agent")
 * @property {string} to          the receivers in a sentence ("the manufacturer's agent"), "" when none
 * @property {string} performative the performative as sent (for styling only, never shown)
 * @property {string} act         what the sender did, in a word or two ("offered")
 * @property {string} at          ISO date-time, "" when not known
 * @property {string} text        what the message says
 */

/**
 * @typedef {object} ConversationWords
 * @property {string} title
 * @property {string} who    the participants in words
 * @property {number} count  number of messages
 * @property {MessageWords[]} messages
 */

/** @type {Readonly<Record<string, string>>} */
const PERFORMATIVES = Object.freeze({
  cfp: "asked for offers",
  propose: "offered",
  "accept-proposal": "accepted",
  "reject-proposal": "declined",
  inform: "informed",
  "inform-done": "reported done",
  "inform-result": "answered",
  request: "asked",
  agree: "agreed",
  refuse: "refused",
  failure: "failed",
  "not-understood": "did not understand",
  confirm: "confirmed",
  disconfirm: "denied",
  "query-ref": "asked",
  "query-if": "asked",
  cancel: "called off",
  subscribe: "asked to be kept informed",
  propagate: "passed on",
});

/** Protocols of a negotiation with suppliers. */
const SUPPLIER_NEGOTIATIONS = new Set(["fipa-iterated-contract-net", "fipa-contract-net"]);

/**
 * Conversations named by what their first message is about.
 * @type {Readonly<Record<string, string>>}
 */
const TOPICS = Object.freeze({
  FindSuppliers: "Search for suppliers",
  CommitAgreement: "Signing the agreement",
  SignSupply: "Signing a supply agreement",
  OrderDecision: "Decision on the order",
  StartSourcing: "Start of the supplier search",
  ProductionProgress: "Production progress",
  RaiseInvoice: "Invoicing",
  ConfirmParts: "Arrival of the parts",
  StartProduction: "Start of production",
  ShipOrder: "Shipping",
  PaymentReceived: "Payment",
  OrderStatusNotice: "Status updates",
  OrderStatusChanged: "Status updates",
  Ping: "Availability check",
});

/** Content types only the manufacturer ever has (a transcript holding one is the manufacturer's). */
const MANUFACTURER_ONLY = new Set(["CallForProposals", "Offer", "AcceptOffer", "RejectOffer", "FindSuppliers",
  "SupplierCandidates", "SupplyNetwork", "CommitAgreement", "SignSupply", "SupplySigned", "OrderDecision",
  "StartSourcing", "ProductionProgress", "RaiseInvoice", "ConfirmParts", "StartProduction", "ShipOrder",
  "PaymentReceived"]);

/** @type {Readonly<Record<string, string>>} */
const PAYMENT_METHODS = Object.freeze({
  "bank-transfer": " by bank transfer",
  card: " by card",
  "direct-debit": " by direct debit",
  ledger: " through the ledger",
});

/** Ids, hashes, agent addresses and codes, which people do not read. */
const ID_LIKE = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
  /\b[0-9a-f]{8,}\b/i,
  /0x[0-9a-f]{6,}/i,
  /[\w.-]+@[\w.-]+/,
  /\b[a-z]+-\d+\b/i,
  /\b[a-z0-9]+_[a-z0-9_]+\b/i,
  /\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b/,
];

/**
 * Whether a text holds something that looks like an id, a hash, an agent address or a code.
 * @param {string} text
 * @returns {boolean}
 */
function looksLikeId(text) {
  return ID_LIKE.some((pattern) => pattern.test(text));
}

/**
 * @param {string} text
 * @returns {string}
 */
function capitalise(text) {
  return text ? `${text.charAt(0).toUpperCase()}${text.slice(1)}` : text;
}

/**
 * A free text as people may read it (trimmed, without its closing full stop), "" when it holds an id or a code.
 * @param {unknown} text
 * @param {number} [max]
 * @returns {string}
 */
function readable(text, max = 200) {
  const s = typeof text === "string" ? text.trim().replace(/[.\s]+$/, "") : "";
  if (!s || looksLikeId(s)) return "";
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * @param {unknown} n
 * @param {string} one
 * @param {string} [many]
 * @returns {string}
 */
function count(n, one, many = `${one}s`) {
  return `${n} ${Number(n) === 1 ? one : many}`;
}

/**
 * Words for a FIPA performative: what the sender did ("offered", "accepted", "refused").
 * @param {string} performative
 * @returns {string}
 */
export function performativeWords(performative) {
  const p = String(performative || "").toLowerCase();
  return PERFORMATIVES[p] || "said";
}

/**
 * What an agent address stands for: the customer's or the manufacturer's agent, a supplier (its id) or a
 * service of the platform.
 * @param {string} jid
 * @returns {{kind: "customer" | "manufacturer" | "console" | "supplier" | "matchmaker" | "contract" | "platform" | "other", supplier: string}}
 */
function agentOf(jid) {
  const s = String(jid || "").trim();
  const slash = s.indexOf("/");
  const bare = slash >= 0 ? s.slice(0, slash) : s;
  const resource = slash >= 0 ? s.slice(slash + 1) : "";
  const local = (bare.split("@")[0] || "").toLowerCase();
  if (local.startsWith("customer")) return { kind: "customer", supplier: "" };
  if (local.startsWith("manufacturer")) return { kind: "manufacturer", supplier: "" };
  if (local.startsWith("console")) return { kind: "console", supplier: "" };
  if (local.startsWith("supplier")) return { kind: "supplier", supplier: resource };
  if (local.startsWith("matchmaker")) return { kind: "matchmaker", supplier: "" };
  if (local.startsWith("contract")) return { kind: "contract", supplier: "" };
  if (local === "ping" || local === "platform") return { kind: "platform", supplier: "" };
  return { kind: "other", supplier: "" };
}

/**
 * A supplier's name when the directory knows it, else "".
 * @param {string} supplierId
 * @param {TranscriptContext} context
 * @returns {string}
 */
function supplierName(supplierId, context) {
  const profile = supplierId && context.suppliers ? context.suppliers[supplierId] : undefined;
  return profile && profile.name ? profile.name : "";
}

/**
 * An agent in the middle of a sentence: "your agent", "the manufacturer's agent", "Brandt Metallbau", "a supplier".
 * @param {string} jid
 * @param {TranscriptContext} context
 * @returns {string}
 */
function agentPhrase(jid, context) {
  const { kind, supplier } = agentOf(jid);
  const audience = context.audience || "";
  switch (kind) {
    case "customer":
      return audience === "customer" ? "your agent" : "the customer's agent";
    case "manufacturer":
      return audience === "manufacturer" ? "your agent" : "the manufacturer's agent";
    case "console":
      return audience === "manufacturer" ? "you" : "the manufacturer";
    case "supplier":
      return supplierName(supplier, context) || "a supplier";
    case "matchmaker":
      return "the supplier search service";
    case "contract":
      return "the agreement service";
    case "platform":
      return "the platform";
    default:
      return "another agent";
  }
}

/**
 * The readable name of an agent address, as it starts a sentence: "Your agent", "The manufacturer's agent",
 * a supplier's name (or "A supplier"); never the address itself.
 * @param {string} jid
 * @param {TranscriptContext} [context]
 * @returns {string}
 */
export function agentName(jid, context = {}) {
  return capitalise(agentPhrase(jid, context));
}

/**
 * Several agents in a sentence, each once: "Brandt Metallbau and 2 other suppliers".
 * @param {string[]} jids
 * @param {TranscriptContext} context
 * @returns {string}
 */
function agentsPhrase(jids, context) {
  /** @type {string[]} */
  const named = [];
  let namedSuppliers = 0;
  const unnamed = new Set();
  for (const jid of new Set(jids.map((j) => String(j || "")).filter(Boolean))) {
    const { kind, supplier } = agentOf(jid);
    if (kind === "supplier" && !supplierName(supplier, context)) {
      unnamed.add(supplier || jid);
      continue;
    }
    const phrase = agentPhrase(jid, context);
    if (named.includes(phrase)) continue;
    named.push(phrase);
    if (kind === "supplier") namedSuppliers += 1;
  }
  /** @type {string[]} */
  const all = [...named];
  if (unnamed.size === 1) all.push(namedSuppliers ? "another supplier" : "a supplier");
  else if (unnamed.size > 1) all.push(`${unnamed.size} ${namedSuppliers ? "other suppliers" : "suppliers"}`);
  const shown = all.length > 4 ? [...all.slice(0, 3), `${all.length - 3} more`] : all;
  return shown.length > 1 ? `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}` : shown.join("");
}

/**
 * A part in words: its description when known, else its id with dashes as spaces.
 * @param {unknown} partId
 * @param {TranscriptContext} context
 * @param {string} [description] the part's description where the message has it
 * @returns {string}
 */
function partWords(partId, context, description = "") {
  const id = String(partId ?? "");
  const described = readable(description) || (context.parts && id ? readable(context.parts[id]) : "");
  if (described) return described;
  return codeWords(id) || "a part";
}

/**
 * Parts in words: "side panel, door and hinge".
 * @param {any[]} parts RequiredPart-like objects ({part_id, description})
 * @param {TranscriptContext} context
 * @returns {string}
 */
function partsWords(parts, context) {
  const words = [...new Set(parts.map((p) => partWords(p && p.part_id, context, p && p.description)))];
  if (!words.length) return "the parts";
  return words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}` : words[0];
}

/**
 * A reason in words: a reason code of the timeline's table as its words; a reason written as a sentence for
 * the manufacturer when it names no id; else `fallback`.
 * @param {unknown} reason
 * @param {TranscriptContext} context
 * @param {string} [fallback]
 * @returns {string}
 */
function reasonWords(reason, context, fallback = SOME_REASON) {
  const text = typeof reason === "string" ? reason.trim() : "";
  if (!text) return fallback;
  if (REASONS[text]) return REASONS[text];
  const coded = /^([a-z][a-z0-9-]*)\s*:/.exec(text);
  if (coded && REASONS[coded[1]]) return REASONS[coded[1]];
  if (context.audience === "manufacturer" && /\s/.test(text)) {
    const words = readable(text);
    if (words) return words.charAt(0).toLowerCase() + words.slice(1);
  }
  return fallback;
}

/**
 * A product in words: its name from the products this page has loaded, else "your product" / "the product".
 * @param {unknown} productId
 * @param {TranscriptContext} context
 * @returns {string}
 */
function productWords(productId, context) {
  const id = String(productId ?? "");
  const name = id ? productName(id) : "";
  if (name && name !== id) return name;
  return context.audience === "customer" ? "your product" : "the product";
}

/**
 * A one-line summary of decoded message content, in words: amounts, dates, names of products, parts and
 * suppliers; never ids, hashes, codes or protocol terms. Reads the products this page has loaded (core/products.js).
 * @param {{type: string, data: any} | null | undefined} decoded
 * @param {TranscriptContext} [context] who reads it, the suppliers and parts known, the message's performative
 * @returns {string}
 */
export function summarise(decoded, context = {}) {
  if (!decoded || !decoded.type) return "A message the platform could not read.";
  const d = decoded.data || {};
  const cur = d.currency || "EUR";
  const manufacturer = context.audience === "manufacturer";
  const performative = String(context.performative || "").toLowerCase();
  switch (decoded.type) {
    case "Order":
      return `Order for ${count(d.quantity ?? 1, "piece")} of ${productWords(d.product_id, context)}`
        + `${d.delivery_date ? `, wanted by ${dateLabel(d.delivery_date)}` : ""}.`;
    case "CallForProposals": {
      const part = d.part || {};
      const about = [Number(part.quantity) > 1 ? count(part.quantity, "piece") : "",
        codeWords(part.process)].filter(Boolean).join(", ");
      return `Round ${d.round ?? 1}: who can make ${partWords(part.part_id, context, part.description)}`
        + `${about ? ` (${about})` : ""}${d.delivery_date ? ` by ${dateLabel(d.delivery_date)}` : ""}`
        + `${d.target_price ? `, for less than ${money(d.target_price, cur)}` : ""}?`;
    }
    case "Offer": {
      const supplier = supplierName(String(d.supplier_id ?? ""), context) || "a supplier";
      const part = partWords(d.part_id, context);
      const terms = `${money(d.price, cur)}, delivered ${dateLabel(d.delivery_date)}`
        + `${d.quality && d.quality !== "standard" ? `, ${String(d.quality)} quality` : ""}`;
      if (performative === "accept-proposal") return `The offer of ${supplier} for ${part} was accepted: ${terms}.`;
      if (performative === "reject-proposal") return `The offer of ${supplier} for ${part} was declined.`;
      return `Round ${d.round ?? 1}: ${supplier} offers ${part} for ${terms}.`;
    }
    case "AcceptOffer":
      return "The offer was accepted.";
    case "RejectOffer": {
      const why = reasonWords(d.reason, context, "");
      return `The offer was rejected${why ? `: ${why}` : ""}.`;
    }
    case "Quotation": {
      const terms = `${money(d.total_price, cur)} in total, delivery by ${dateLabel(d.delivery_date)}`;
      if (performative === "accept-proposal") return `The quotation was accepted: ${terms}.`;
      if (performative === "reject-proposal") return "The quotation was declined.";
      return `${Number(d.round) > 1 ? "Revised quotation" : "Quotation"}: ${terms}.`;
    }
    case "CounterOffer": {
      const note = readable(d.note);
      return `Counter-offer: ${money(d.price, cur)}${d.delivery_date ? `, delivery by ${dateLabel(d.delivery_date)}` : ""}`
        + `${note ? ` — “${note}”` : ""}.`;
    }
    case "AcceptQuotation":
      return "The quotation was accepted.";
    case "DeclineQuotation": {
      const why = reasonWords(d.reason, context, "");
      return `The quotation was declined${why ? `: ${why}` : ""}.`;
    }
    case "Invoice":
      return `Invoice of ${money(d.total, cur)}${d.due_date ? `, due ${dateLabel(d.due_date)}` : ""}`
        + `${d.status === "paid" ? " (paid)" : d.status === "cancelled" ? " (cancelled)" : ""}.`;
    case "Payment":
      return `Payment of ${money(d.amount, cur)}${PAYMENT_METHODS[String(d.method || "")] || ""}.`;
    case "PaymentReceived":
      return "The payment arrived.";
    case "Reason": {
      const detail = manufacturer ? readable(d.detail) : "";
      return `${capitalise(reasonWords(d.reason, context))}${detail ? ` (${detail})` : ""}.`;
    }
    case "OrderStatusNotice": {
      const event = d.event && typeof d.event === "object" ? d.event : null;
      if (event && event.event) {
        return eventSentence({ status: String(d.status || ""), event: String(event.event), params: event.params || null });
      }
      const shipment = d.shipment && d.shipment.carrier ? readable(d.shipment.carrier) : "";
      return `Order status: ${statusLabel(d.status)}`
        + `${d.price ? `, ${money(d.price, d.currency || "EUR")}` : ""}`
        + `${typeof d.progress === "number" ? `, ${d.progress} % done` : ""}`
        + `${shipment ? `, shipped with ${shipment}` : ""}`
        + `${d.delivery_date ? `, delivery by ${dateLabel(d.delivery_date)}` : ""}.`;
    }
    case "OrderStatusChanged":
      return `Order status: ${statusLabel(d.change && d.change.to_status)}.`;
    case "OrderDecision": {
      const why = manufacturer ? readable(d.reason) : "";
      return d.accept ? "Take the order." : `Decline the order${why ? `: ${why}` : ""}.`;
    }
    case "StartSourcing":
      return "Start looking for suppliers.";
    case "FindSuppliers":
      return `Find suppliers for ${partsWords(Array.isArray(d.parts) ? d.parts : [], context)}.`;
    case "SupplierCandidates": {
      const found = (Array.isArray(d.candidates) ? d.candidates : []).map((/** @type {any} */ c) => {
        const n = Array.isArray(c.suppliers) ? c.suppliers.length : 0;
        return `${n ? count(n, "supplier") : "none"} for ${partWords(c.part_id, context)}`;
      });
      return found.length ? `Suppliers found: ${found.join(", ")}.` : "No suppliers found.";
    }
    case "SupplyNetwork": {
      const assignments = Array.isArray(d.assignments) ? d.assignments : [];
      if (!assignments.length) return "The supply network has no parts from suppliers.";
      const shown = assignments.slice(0, 4).map((/** @type {any} */ a) => {
        const offer = a.offer || {};
        const part = partWords(offer.part_id || (a.part && a.part.part_id), context, a.part && a.part.description);
        return `${part} from ${supplierName(String(offer.supplier_id ?? ""), context) || "a supplier"}`;
      });
      const more = assignments.length > shown.length ? ` and ${assignments.length - shown.length} more` : "";
      return `Supply network: ${shown.join(", ")}${more}.`;
    }
    case "CommitAgreement": {
      const assignments = d.network && Array.isArray(d.network.assignments) ? d.network.assignments : [];
      const suppliers = new Set(assignments.map((/** @type {any} */ a) => a && a.offer && a.offer.supplier_id));
      return `Sign the agreement for the order${suppliers.size ? ` and ${count(suppliers.size, "supply agreement")}` : ""}.`;
    }
    case "ContractCommitted": {
      const n = Array.isArray(d.supply_contracts) ? d.supply_contracts.length : 0;
      return `The agreement is signed${manufacturer && n ? `, with ${count(n, "supply agreement")}` : ""}.`;
    }
    case "SignSupply":
      return `Please sign the supply agreement${supplierName(String(d.supplier_id ?? ""), context)
        ? ` with ${supplierName(String(d.supplier_id), context)}` : ""}.`;
    case "SupplySigned":
      return "The supply agreement is signed.";
    case "ProductionProgress": {
      const note = readable(d.note);
      return `Production is ${d.percent ?? "?"} % done${note ? `: ${note}` : ""}.`;
    }
    case "RaiseInvoice":
      return "Raise the invoice now.";
    case "ConfirmParts":
      return "The parts arrived.";
    case "StartProduction": {
      const why = readable(d.reason);
      return `Start production before every part arrived${why ? `: ${why}` : ""}.`;
    }
    case "ShipOrder": {
      const carrier = readable(d.carrier);
      return `Ship the order${carrier ? ` with ${carrier}` : ""}.`;
    }
    case "Product":
      return `The product ${readable(d.name) || "details"}.`;
    case "Supplier":
      return `The supplier ${readable(d.name) || "details"}.`;
    case "Ping":
      return "Are you there?";
    case "Pong":
      return "Yes, here.";
    case "Done":
      return "Done.";
    default:
      return `${capitalise(decoded.type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase())}.`;
  }
}

/**
 * The decoded content of a message, or null.
 * @param {any} message
 * @returns {{type: string, data: any} | null}
 */
function decodedOf(message) {
  const decoded = message && message.decoded;
  return decoded && typeof decoded === "object" && typeof decoded.type === "string" ? decoded : null;
}

/**
 * Every message of a transcript.
 * @param {any} transcript
 * @returns {any[]}
 */
function messagesOf(transcript) {
  return (transcript && Array.isArray(transcript.conversations) ? transcript.conversations : [])
    .flatMap((/** @type {any} */ c) => (c && Array.isArray(c.messages) ? c.messages : []));
}

/**
 * What the words of a transcript depend on: who reads it (as given; else "manufacturer" when it holds what only
 * the manufacturer has, else "" — not known), the suppliers by id (as given, else from its SupplierCandidates) and
 * the descriptions of its parts.
 * @param {any} transcript
 * @param {{audience?: Audience, suppliers?: Record<string, SupplierProfile>}} [options]
 * @returns {TranscriptContext}
 */
export function transcriptContext(transcript, options = {}) {
  const messages = messagesOf(transcript);
  /** @type {Record<string, string>} */
  const parts = {};
  /** @param {any} part */
  const describe = (part) => {
    if (part && part.part_id && typeof part.description === "string" && part.description.trim() && !parts[part.part_id]) {
      parts[String(part.part_id)] = part.description.trim();
    }
  };
  let manufacturerOnly = false;
  for (const message of messages) {
    const decoded = decodedOf(message);
    const addresses = [message && message.sender, ...(message && Array.isArray(message.receivers) ? message.receivers : [])];
    if (addresses.some((a) => a && !["customer", "manufacturer", "other"].includes(agentOf(a).kind))) manufacturerOnly = true;
    if (!decoded) continue;
    if (MANUFACTURER_ONLY.has(decoded.type)) manufacturerOnly = true;
    const d = decoded.data || {};
    if (decoded.type === "CallForProposals") describe(d.part);
    else if (decoded.type === "FindSuppliers" && Array.isArray(d.parts)) d.parts.forEach(describe);
    else if (decoded.type === "SupplyNetwork" && Array.isArray(d.assignments)) {
      d.assignments.forEach((/** @type {any} */ a) => describe(a && a.part));
    }
  }
  return {
    audience: options.audience ?? (manufacturerOnly ? "manufacturer" : ""),
    suppliers: { ...supplierDirectory(transcript), ...(options.suppliers || {}) },
    parts,
  };
}

/**
 * The title of a conversation: "Order with the customer", "Negotiation with suppliers for side panel", ….
 * @param {any} conversation {protocol, messages}
 * @param {TranscriptContext} [context]
 * @returns {string}
 */
export function conversationTitle(conversation, context = {}) {
  /** @type {any[]} */
  const messages = conversation && Array.isArray(conversation.messages) ? conversation.messages : [];
  const contents = messages.map(decodedOf);
  const protocol = String((conversation && conversation.protocol) || "");
  if (protocol === "lso-order") {
    if (context.audience === "customer") return "Your order with the manufacturer";
    if (context.audience === "manufacturer") return "Order with the customer";
    return "Order between the customer and the manufacturer";
  }
  const cfp = contents.find((d) => d && d.type === "CallForProposals");
  if (SUPPLIER_NEGOTIATIONS.has(protocol) || cfp) {
    const part = cfp && cfp.data && cfp.data.part ? cfp.data.part : null;
    return `Negotiation with suppliers${part ? ` for ${partWords(part.part_id, context, part.description)}` : ""}`;
  }
  const first = contents.find(Boolean);
  if (first && contents.every((d) => !d || d.type === "OrderStatusNotice")) return "Status updates";
  if (first) return TOPICS[first.type] || capitalise(first.type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
  if (protocol === "fipa-request") return "Request";
  if (protocol === "fipa-query") return "Question";
  return "Messages";
}

/**
 * The transcript in words: its conversations with their titles and participants, each message as who did
 * what to whom and what it said.
 * @param {any} transcript {order_id, conversations: [{conversation_id, protocol, participants, messages}]}
 * @param {{audience?: Audience, suppliers?: Record<string, SupplierProfile>}} [options] who reads it (else
 *   guessed from the transcript), the suppliers' profiles by id (else those its SupplierCandidates name)
 * @returns {ConversationWords[]}
 */
export function transcriptWords(transcript, options = {}) {
  const context = transcriptContext(transcript, options);
  /** @type {any[]} */
  const conversations = transcript && Array.isArray(transcript.conversations) ? transcript.conversations : [];
  return conversations.map((c) => {
    const messages = Array.isArray(c.messages) ? c.messages : [];
    const participants = Array.isArray(c.participants) ? c.participants : [];
    return {
      title: conversationTitle(c, context),
      who: capitalise(agentsPhrase(participants, context)),
      count: messages.length,
      messages: messages.map((/** @type {any} */ m) => ({
        from: agentName(m.sender, context),
        to: Array.isArray(m.receivers) ? agentsPhrase(m.receivers, context) : "",
        performative: String(m.performative || "").toLowerCase(),
        act: performativeWords(m.performative),
        at: m.at ? String(m.at) : "",
        text: summarise(decodedOf(m), { ...context, performative: String(m.performative || "") }),
      })),
    };
  });
}

/**
 * One message as a list item.
 * @param {MessageWords} message
 * @returns {HTMLElement}
 */
function messageItem(message) {
  return h("li", { class: "msg" },
    h("p", { class: "msg-head" },
      h("strong", {}, message.from),
      message.to ? ` to ${message.to}` : "",
      ": ",
      h("span", { class: `perf perf-${message.performative.replace(/[^a-z-]/g, "")}` }, message.act),
      message.at ? h("time", { datetime: message.at, class: "msg-time" }, ` · ${dateTimeLabel(message.at)}`) : null),
    h("p", { class: "msg-body" }, message.text));
}

/**
 * The transcript (GET /orders/{id}/negotiation body) as collapsible conversations, in words.
 * @param {any} transcript {order_id, conversations: [{conversation_id, protocol, participants, messages}]}
 * @param {{audience?: Audience, suppliers?: Record<string, SupplierProfile>}} [options] who reads it: "customer"
 *   or "manufacturer" (else guessed: the manufacturer's when it holds what only the manufacturer has, else words
 *   right for both); the suppliers' profiles by id (logic/offers.js supplierDirectory; else those the transcript names)
 * @returns {HTMLElement}
 */
export function transcriptView(transcript, options = {}) {
  const conversations = transcriptWords(transcript, options);
  if (!conversations.length) {
    return h("div", { class: "state state-empty transcript-empty" },
      h("p", {}, "No messages yet. The agents' conversation appears here once the negotiation starts."));
  }
  return h("div", { class: "transcript" }, conversations.map((c, index) =>
    h("details", { class: "conversation", open: index === conversations.length - 1 ? true : null },
      h("summary", {},
        h("span", { class: "conv-title" }, c.title),
        h("span", { class: "conv-meta" }, `${c.who ? ` · ${c.who}` : ""} · ${count(c.count, "message")}`)),
      h("ol", { class: "messages" }, c.messages.map(messageItem)))));
}

/**
 * What the copies of one message share (the sender's and each receiver's are logged apart).
 * @param {any} message
 * @returns {string}
 */
function messageKey(message) {
  return [message.performative, message.sender, message.conversation_id, message.in_reply_to, message.content]
    .map((part) => String(part ?? "")).join("\u0000");
}

/**
 * The transcript with `messages` merged in, each once (one held already, by its position or as another copy of it,
 * is skipped): into its conversation in position order, a new conversation after the others. Neither argument is changed.
 * @param {any} transcript a GET /orders/{id}/negotiation body (or null before the first one)
 * @param {any[]} messages messages as that body shows them (of a negotiation-message event, or of a catch-up body)
 * @returns {{order_id: any, conversations: any[]}}
 */
export function mergeTranscript(transcript, messages) {
  /** @type {any[]} */
  const conversations = (transcript && Array.isArray(transcript.conversations) ? transcript.conversations : [])
    .map((/** @type {any} */ c) => ({ ...c, messages: [...(c.messages || [])], participants: [...(c.participants || [])] }));
  const held = new Set(conversations.flatMap((c) => c.messages.map(messageKey)));
  const positions = new Set(conversations.flatMap((c) => c.messages.map((/** @type {any} */ m) => m.position))
    .filter((p) => typeof p === "number"));
  for (const message of messages || []) {
    if (!message || held.has(messageKey(message)) || positions.has(message.position)) continue;
    held.add(messageKey(message));
    if (typeof message.position === "number") positions.add(message.position);
    let conversation = conversations.find((c) => c.conversation_id === (message.conversation_id ?? null));
    if (!conversation) {
      conversation = { conversation_id: message.conversation_id ?? null, protocol: message.protocol ?? null,
        participants: [], messages: [] };
      conversations.push(conversation);
    }
    if (!conversation.protocol && message.protocol) conversation.protocol = message.protocol;
    for (const who of [message.sender, ...(message.receivers || [])]) {
      if (who && !conversation.participants.includes(who)) conversation.participants.push(who);
    }
    const later = conversation.messages.findIndex((/** @type {any} */ m) =>
      typeof m.position === "number" && typeof message.position === "number" && m.position > message.position);
    conversation.messages.splice(later < 0 ? conversation.messages.length : later, 0, message);
  }
  return { order_id: transcript ? transcript.order_id : null, conversations };
}

/**
 * The position of the newest message held (the `after` of a catch-up), null when none is held.
 * @param {any} transcript
 * @returns {number | null}
 */
export function lastPosition(transcript) {
  const positions = (transcript && Array.isArray(transcript.conversations) ? transcript.conversations : [])
    .flatMap((/** @type {any} */ c) => (c.messages || []).map((/** @type {any} */ m) => m.position))
    .filter((/** @type {any} */ p) => typeof p === "number");
  return positions.length ? Math.max(...positions) : null;
}

/**
 * @typedef {object} LiveTranscript
 * @property {Promise<void>} ready settles once the first transcript arrived (or could not be fetched)
 * @property {() => any} current the transcript held now (null before the first fetch)
 * @property {() => Promise<void>} reload fetch the whole transcript again (after an error)
 * @property {() => void} stop unsubscribe
 */

/**
 * An order's transcript kept current without fetching it again and again: the whole transcript once, then
 * every negotiation-message event of the order appended; after a reconnect, only the messages since the
 * newest one held (`?after=`), for what the gap may have lost.
 * @param {{
 *   orderId: string,
 *   fetch: (after: number | null) => Promise<any>,
 *   onMessage: (fn: (event: any) => void) => () => void,
 *   onReconnect: (fn: () => void) => () => void,
 *   onChange: (transcript: any) => void,
 *   onError?: (error: unknown) => void,
 * }} options `fetch(null)` is GET /orders/{id}/negotiation, `fetch(n)` the same with ?after=n
 * @returns {LiveTranscript}
 */
export function liveTranscript({ orderId, fetch, onMessage, onReconnect, onChange, onError }) {
  /** @type {any} */
  let transcript = null;
  /** @type {any[]} messages heard before the first transcript arrived */
  let early = [];
  let stopped = false;

  /** @param {any[]} messages */
  function merge(messages) {
    if (stopped || !messages.length) return;
    if (!transcript) {
      early.push(...messages);
      return;
    }
    const merged = mergeTranscript(transcript, messages);
    const before = transcript.conversations.reduce((/** @type {number} */ n, /** @type {any} */ c) => n + c.messages.length, 0);
    const after = merged.conversations.reduce((n, c) => n + c.messages.length, 0);
    transcript = merged;
    if (after !== before) onChange(transcript);
  }

  /** @param {number | null} after */
  async function load(after) {
    try {
      const body = await fetch(after);
      if (stopped) return;
      const messages = ((body && body.conversations) || []).flatMap((/** @type {any} */ c) => c.messages || []);
      if (after === null) {
        transcript = mergeTranscript(body, early);
        early = [];
        onChange(transcript);
      } else {
        merge(messages);
      }
    } catch (error) {
      if (!stopped && onError) onError(error);
    }
  }

  const unsubscribeMessages = onMessage((event) => {
    if (event && event.order_id === orderId && event.message) merge([event.message]);
  });
  const unsubscribeReconnect = onReconnect(() => {
    if (stopped) return;
    load(transcript ? lastPosition(transcript) : null);
  });
  const ready = load(null);
  return {
    ready,
    current: () => transcript,
    reload: () => load(null),
    stop() {
      stopped = true;
      unsubscribeMessages();
      unsubscribeReconnect();
    },
  };
}

/**
 * The negotiation transcript of an order as readable conversations: who said what, when, and what it meant.
 * @module components/transcript
 */

import { h } from "../core/dom.js";
import { dateLabel, dateTimeLabel, money } from "../core/format.js";

/** @type {Readonly<Record<string, string>>} */
const PERFORMATIVES = Object.freeze({
  cfp: "call for proposals",
  propose: "proposal",
  "accept-proposal": "accepted",
  "reject-proposal": "rejected",
  inform: "information",
  "inform-done": "done",
  "inform-result": "result",
  request: "request",
  agree: "agreed",
  refuse: "refused",
  failure: "failure",
  "not-understood": "not understood",
  confirm: "confirmed",
  disconfirm: "disconfirmed",
  "query-ref": "question",
  "query-if": "question",
  cancel: "cancelled",
  subscribe: "subscription",
  propagate: "passed on",
});

/** @type {Readonly<Record<string, string>>} */
const PROTOCOLS = Object.freeze({
  "lso-order": "Order with the customer",
  "fipa-iterated-contract-net": "Negotiation with suppliers",
  "fipa-contract-net": "Negotiation with suppliers",
  "fipa-request": "Request",
  "fipa-query": "Question",
});

/**
 * Words for a FIPA performative.
 * @param {string} performative
 * @returns {string}
 */
export function performativeWords(performative) {
  const p = String(performative || "").toLowerCase();
  return PERFORMATIVES[p] || p.replace(/[-_]+/g, " ") || "message";
}

/**
 * The readable name of an agent address (local part of a JID).
 * @param {string} jid
 * @returns {string}
 */
export function agentName(jid) {
  const s = String(jid || "");
  const slash = s.indexOf("/");
  if (slash >= 0 && slash < s.length - 1) return s.slice(slash + 1);
  return s.split("@")[0] || s || "unknown";
}

/**
 * A one-line summary of decoded message content.
 * @param {{type: string, data: any} | null | undefined} decoded
 * @returns {string}
 */
export function summarise(decoded) {
  if (!decoded || !decoded.type) return "Content that the platform could not decode.";
  const d = decoded.data || {};
  const cur = d.currency || "EUR";
  switch (decoded.type) {
    case "Order":
      return `Order for ${d.quantity ?? 1} × ${d.product_id || "a product"}${d.delivery_date
        ? `, wanted by ${dateLabel(d.delivery_date)}` : ""}.`;
    case "CallForProposals":
      return `Round ${d.round ?? 1}: who can make part ${d.part && d.part.part_id ? d.part.part_id : "?"}`
        + `${d.part && d.part.process ? ` (${d.part.process})` : ""} by ${dateLabel(d.delivery_date)}`
        + `${d.target_price ? `, for less than ${money(d.target_price, cur)}` : ""}?`;
    case "Offer":
      return `Round ${d.round ?? 1}: ${d.supplier_id || "a supplier"} offers part ${d.part_id || "?"} for `
        + `${money(d.price, cur)}, delivered ${dateLabel(d.delivery_date)}${d.quality ? `, ${d.quality} quality` : ""}.`;
    case "AcceptOffer":
      return `Offer ${String(d.offer_id || "").slice(0, 8)} accepted.`;
    case "RejectOffer":
      return `Offer ${String(d.offer_id || "").slice(0, 8)} rejected${d.reason ? `: ${d.reason}` : ""}.`;
    case "Quotation":
      return `Quotation: ${money(d.total_price, cur)} in total, delivery ${dateLabel(d.delivery_date)}`
        + `${Array.isArray(d.lines) ? ` (${d.lines.length} line${d.lines.length === 1 ? "" : "s"})` : ""}.`;
    case "CounterOffer":
      return `Counter-offer: ${money(d.price, cur)}${d.delivery_date ? `, delivery ${dateLabel(d.delivery_date)}` : ""}`
        + `${d.note ? ` — “${d.note}”` : ""}.`;
    case "Invoice":
      return `Invoice ${String(d.id || "").slice(0, 8)}: ${money(d.total, cur)}`
        + `${d.due_date ? `, due ${dateLabel(d.due_date)}` : ""}${d.status ? ` (${String(d.status).replace(/_/g, " ")})` : ""}.`;
    case "Reason":
      return `Reason: ${d.reason || "none given"}${d.detail ? ` (${d.detail})` : ""}.`;
    case "AcceptQuotation":
      return `Quotation ${String(d.quotation_id || "").slice(0, 8)} accepted.`;
    case "OrderStatusNotice":
      return `The order is now “${String(d.status || "").replace(/_/g, " ")}”${d.note ? `: ${d.note}` : ""}`
        + `${d.price ? ` (${money(d.price, cur)})` : ""}${typeof d.progress === "number" ? ` — ${d.progress} % done` : ""}.`;
    case "OrderDecision":
      return `${d.accept ? "Accept" : "Reject"} the order${d.reason ? `: ${d.reason}` : ""}.`;
    case "StartSourcing":
      return "Start looking for suppliers.";
    case "FindSuppliers":
      return `Find suppliers for ${Array.isArray(d.parts) ? d.parts.map((/** @type {any} */ p) => p.part_id).join(", ") : "the parts"}.`;
    case "SupplierCandidates":
      return `Candidate suppliers: ${Array.isArray(d.candidates) ? d.candidates.map((/** @type {any} */ c) =>
        `${c.part_id} (${Array.isArray(c.suppliers) ? c.suppliers.length : 0})`).join(", ") : "none"}.`;
    case "ProductionProgress":
      return `Production ${d.percent ?? "?"} % done${d.note ? `: ${d.note}` : ""}.`;
    case "ContractCommitted":
      return `Contracts signed: the order and ${Array.isArray(d.supply_contracts) ? d.supply_contracts.length : 0} supply contract(s).`;
    case "CommitAgreement":
      return "Record the agreement as contracts.";
    case "Done":
      return "Done.";
    case "SupplyNetwork":
      return `Supply network with ${Array.isArray(d.assignments) ? d.assignments.length : 0} assigned part(s).`;
    default: {
      const keys = Object.keys(d).filter((k) => !/(^id$|_id$)/.test(k)).slice(0, 4);
      const bits = keys.map((k) => {
        const v = d[k];
        const text = v && typeof v === "object" ? "…" : String(v);
        return `${k.replace(/_/g, " ")}: ${text.length > 40 ? `${text.slice(0, 39)}…` : text}`;
      });
      const name = decoded.type.replace(/([a-z])([A-Z])/g, "$1 $2");
      return bits.length ? `${name} (${bits.join(", ")}).` : `${name}.`;
    }
  }
}

/**
 * One message as a list item.
 * @param {any} message
 * @returns {HTMLElement}
 */
function messageItem(message) {
  const receivers = Array.isArray(message.receivers) ? message.receivers.map(agentName).join(", ") : "";
  return h("li", { class: "msg" },
    h("p", { class: "msg-head" },
      h("strong", {}, agentName(message.sender)),
      receivers ? ` to ${receivers}` : "",
      ": ",
      h("span", { class: `perf perf-${String(message.performative || "").toLowerCase()}` },
        performativeWords(message.performative)),
      message.at ? h("time", { datetime: message.at, class: "msg-time" }, ` · ${dateTimeLabel(message.at)}`) : null),
    h("p", { class: "msg-body" }, summarise(message.decoded)));
}

/**
 * The transcript (GET /orders/{id}/negotiation body) as collapsible conversations.
 * @param {any} transcript {order_id, conversations: [{conversation_id, protocol, participants, messages}]}
 * @returns {HTMLElement}
 */
export function transcriptView(transcript) {
  /** @type {any[]} */
  const conversations = transcript && Array.isArray(transcript.conversations) ? transcript.conversations : [];
  if (!conversations.length) {
    return h("div", { class: "state state-empty transcript-empty" },
      h("p", {}, "No messages yet. The agents' conversation appears here once the negotiation starts."));
  }
  return h("div", { class: "transcript" }, conversations.map((c, index) => {
    const messages = Array.isArray(c.messages) ? c.messages : [];
    const names = Array.isArray(c.participants) ? c.participants.map(agentName) : [];
    const who = names.length > 4 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
    const cfp = messages.find((/** @type {any} */ m) => m && m.decoded && m.decoded.type === "CallForProposals");
    const part = cfp && cfp.decoded.data && cfp.decoded.data.part ? cfp.decoded.data.part.part_id : "";
    const known = PROTOCOLS[String(c.protocol || "")];
    const protocol = `${known || String(c.protocol || "Status updates").replace(/^fipa-/, "").replace(/-/g, " ")}`
      + `${part ? ` for part ${part}` : ""}`
      + `${!part && c.protocol === "fipa-request" && messages[0] && messages[0].decoded
        ? `: ${String(messages[0].decoded.type).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}` : ""}`;
    return h("details", { class: "conversation", open: index === conversations.length - 1 ? true : null },
      h("summary", {},
        h("span", { class: "conv-title" }, `${protocol.charAt(0).toUpperCase()}${protocol.slice(1)}`),
        h("span", { class: "conv-meta" }, ` · ${who} · ${messages.length} message${messages.length === 1 ? "" : "s"}`)),
      h("ol", { class: "messages" }, messages.map(messageItem)));
  }));
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

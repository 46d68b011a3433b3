/**
 * Pure: group the messages of a negotiation transcript into offers per part, supplier and round.
 * @module logic/offers
 */

/**
 * @typedef {object} OfferRow
 * @property {number} round
 * @property {string} price decimal string
 * @property {string} currency
 * @property {string} delivery_date
 * @property {string} [quality]
 * @property {string} [id]
 * @property {string} [at]
 * @property {"accepted" | "rejected" | "open"} outcome
 */

/**
 * @typedef {object} SupplierOffers
 * @property {string} supplier
 * @property {OfferRow[]} offers
 */

/**
 * @typedef {object} PartOffers
 * @property {string} part_id
 * @property {number} rounds highest round seen (call for proposals or offer)
 * @property {SupplierOffers[]} suppliers
 */

/**
 * Every message of a transcript, in log order.
 * @param {any} transcript
 * @returns {any[]}
 */
function messagesOf(transcript) {
  const conversations = transcript && Array.isArray(transcript.conversations) ? transcript.conversations : [];
  /** @type {any[]} */
  const out = [];
  for (const conversation of conversations) {
    const id = conversation && conversation.conversation_id ? conversation.conversation_id : "";
    for (const message of (conversation && Array.isArray(conversation.messages) ? conversation.messages : [])) {
      if (message && typeof message === "object") out.push(message.conversation_id ? message : { ...message, conversation_id: id });
    }
  }
  return out;
}

/**
 * Decoded content of a message as {type, data}, or null.
 * @param {any} message
 * @returns {{type: string, data: any} | null}
 */
function decodedOf(message) {
  const decoded = message && message.decoded;
  if (!decoded || typeof decoded !== "object" || typeof decoded.type !== "string") return null;
  return { type: decoded.type, data: decoded.data && typeof decoded.data === "object" ? decoded.data : {} };
}

/**
 * Group a transcript (GET /orders/{id}/negotiation) into offers per part and supplier, round by round.
 * The outcome of an offer comes from an AcceptOffer / RejectOffer naming its id; otherwise "open".
 * @param {any} transcript
 * @returns {{parts: PartOffers[]}}
 */
export function groupOffers(transcript) {
  const messages = messagesOf(transcript);
  /** @type {Map<string, "accepted" | "rejected">} */
  const outcomes = new Map();
  for (const message of messages) {
    const decoded = decodedOf(message);
    if (!decoded) continue;
    const data = decoded.data;
    if (decoded.type === "AcceptOffer" && data.offer_id) outcomes.set(String(data.offer_id), "accepted");
    else if (decoded.type === "RejectOffer" && data.offer_id && !outcomes.has(String(data.offer_id))) {
      outcomes.set(String(data.offer_id), "rejected");
    } else if (decoded.type === "Offer" && data.id && String(message.performative).toLowerCase() === "accept-proposal") {
      outcomes.set(String(data.id), "accepted");
    }
  }
  /** @type {Map<string, {part_id: string, rounds: number, suppliers: Map<string, OfferRow[]>}>} */
  const parts = new Map();
  /** @param {string} partId */
  const partEntry = (partId) => {
    let entry = parts.get(partId);
    if (!entry) {
      entry = { part_id: partId, rounds: 0, suppliers: new Map() };
      parts.set(partId, entry);
    }
    return entry;
  };
  /** @type {Set<string>} */
  const seen = new Set();
  /** Last offer of each supplier, per conversation: a reject-proposal without an offer id refers to it. */
  /** @type {Map<string, OfferRow>} */
  const lastInConversation = new Map();
  for (const message of messages) {
    const decoded = decodedOf(message);
    const conversation = String(message && message.conversation_id ? message.conversation_id : "");
    const performative = String(message && message.performative ? message.performative : "").toLowerCase();
    if (performative === "reject-proposal" && !(decoded && decoded.data.offer_id)
      && !(decoded && decoded.type === "Offer")) {
      for (const receiver of (Array.isArray(message.receivers) ? message.receivers : [])) {
        const row = lastInConversation.get(`${conversation}|${supplierOf(receiver)}`);
        if (row && row.outcome === "open") row.outcome = "rejected";
      }
      continue;
    }
    if (!decoded) continue;
    const data = decoded.data;
    if (decoded.type === "CallForProposals" && data.part && data.part.part_id) {
      const entry = partEntry(String(data.part.part_id));
      entry.rounds = Math.max(entry.rounds, Number(data.round) || 1);
    } else if (decoded.type === "Offer" && data.part_id && data.supplier_id) {
      const key = data.id ? String(data.id) : `${data.part_id}/${data.supplier_id}/${data.round}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = partEntry(String(data.part_id));
      const round = Number(data.round) || 1;
      entry.rounds = Math.max(entry.rounds, round);
      const supplier = String(data.supplier_id);
      const list = entry.suppliers.get(supplier) || [];
      /** @type {OfferRow} */
      const row = {
        round,
        price: String(data.price ?? ""),
        currency: String(data.currency || "EUR"),
        delivery_date: String(data.delivery_date || ""),
        quality: data.quality ? String(data.quality) : undefined,
        id: data.id ? String(data.id) : undefined,
        at: message.at ? String(message.at) : undefined,
        outcome: (data.id && outcomes.get(String(data.id))) || "open",
      };
      list.push(row);
      entry.suppliers.set(supplier, list);
      lastInConversation.set(`${conversation}|${supplier}`, row);
    }
  }
  return {
    parts: [...parts.values()].map((entry) => ({
      part_id: entry.part_id,
      rounds: entry.rounds,
      suppliers: [...entry.suppliers.entries()]
        .map(([supplier, offers]) => ({ supplier, offers: offers.sort((a, b) => a.round - b.round) }))
        .sort((a, b) => a.supplier.localeCompare(b.supplier)),
    })),
  };
}

/**
 * The supplier id an agent address stands for: the resource of "suppliers@host/SUP-1", else the local part.
 * @param {string} jid
 * @returns {string}
 */
export function supplierOf(jid) {
  const text = String(jid || "");
  const slash = text.indexOf("/");
  if (slash >= 0) return text.slice(slash + 1);
  return text.split("@")[0];
}

/**
 * The supplier whose offer was accepted for a part (last accepted), or null.
 * @param {SupplierOffers[]} suppliers
 * @returns {{supplier: string, offer: OfferRow} | null}
 */
export function acceptedOf(suppliers) {
  /** @type {{supplier: string, offer: OfferRow} | null} */
  let found = null;
  for (const s of suppliers) {
    for (const offer of s.offers) if (offer.outcome === "accepted") found = { supplier: s.supplier, offer };
  }
  return found;
}

/**
 * The latest offer of a supplier.
 * @param {SupplierOffers} supplier
 * @returns {OfferRow | null}
 */
export function latestOffer(supplier) {
  return supplier.offers.length ? supplier.offers[supplier.offers.length - 1] : null;
}

/**
 * Total number of offers in a grouping.
 * @param {{parts: PartOffers[]}} grouped
 * @returns {number}
 */
export function offerCount(grouped) {
  let n = 0;
  for (const part of grouped.parts) for (const s of part.suppliers) n += s.offers.length;
  return n;
}

/**
 * @typedef {object} SupplierProfile
 * @property {string} name
 * @property {string} country ISO 3166 code, "" when not known
 * @property {number|null} rating 0 to 5, null when unrated
 */

/**
 * The suppliers the matchmaker found for the order (its SupplierCandidates in the manufacturer's transcript),
 * by supplier id: their names, countries and ratings from the supplier data set.
 * @param {any} transcript GET /orders/{id}/negotiation
 * @returns {Record<string, SupplierProfile>}
 */
export function supplierDirectory(transcript) {
  /** @type {Record<string, SupplierProfile>} */
  const found = {};
  for (const message of messagesOf(transcript)) {
    const decoded = decodedOf(message);
    if (!decoded || decoded.type !== "SupplierCandidates" || !Array.isArray(decoded.data.candidates)) continue;
    for (const part of decoded.data.candidates) {
      for (const supplier of (part && Array.isArray(part.suppliers) ? part.suppliers : [])) {
        if (!supplier || !supplier.id || !supplier.name || found[supplier.id]) continue;
        found[String(supplier.id)] = {
          name: String(supplier.name),
          country: supplier.location && supplier.location.country ? String(supplier.location.country) : "",
          rating: typeof supplier.rating === "number" ? supplier.rating : null,
        };
      }
    }
  }
  return found;
}

/**
 * A supplier in words: "Brandt Metallbau (DE, rated 4.6 of 5)"; its id only when the directory does not know it.
 * @param {string} supplierId
 * @param {Record<string, SupplierProfile>} directory
 * @returns {string}
 */
export function supplierWords(supplierId, directory) {
  const profile = directory && directory[supplierId];
  if (!profile) return supplierId;
  const about = [profile.country, profile.rating === null ? "" : `rated ${profile.rating.toFixed(1)} of 5`]
    .filter(Boolean);
  return about.length ? `${profile.name} (${about.join(", ")})` : profile.name;
}

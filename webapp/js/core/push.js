/**
 * Live order events from the gateway's WebSocket /ws (one shared socket).
 * Authenticates with the subprotocols ["lso.bearer", token]; reconnects with last_event_id and backoff.
 * Negotiation messages (kind "negotiation-message") go to their own listeners (onNegotiationMessage), not to the
 * order event listeners: they change no status, and a view refetching on every event would refetch for each.
 * @module core/push
 */

import { currentSession, expire } from "./session.js";

/** @typedef {"live" | "connecting" | "offline"} ConnectionState */

/**
 * An order event as the gateway pushes it (gateway/push/payload.py); a field is null or missing when the
 * event does not report it.
 * @typedef {object} OrderEvent
 * @property {string} id            the event's number in the feed
 * @property {string} order_id
 * @property {string} kind          "status" | "quotation" | "invoice" | "negotiation-message"
 * @property {string} status        the order's status after the event (a negotiation message: when the
 *                                  gateway read it, which may trail a status event pushed meanwhile)
 * @property {string} at            ISO date-time
 * @property {string} [note]
 * @property {string | null} [price]     decimal string (quotations and invoices)
 * @property {string | null} [currency]
 * @property {number | null} [progress]  production progress in percent
 * @property {string | null} [carrier]   a shipped order: who carries it
 * @property {string | null} [reference] a shipped order: the carrier's tracking reference
 * @property {string | null} [delivery_date] the planned delivery date moved: the new date
 * @property {string | null} [event]     the event's code (docs/wire.md)
 * @property {Record<string, string | number> | null} [params] the event's parameters
 */

/** @type {Set<(event: any) => void>} */
const eventListeners = new Set();
/** @type {Set<(state: ConnectionState) => void>} */
const stateListeners = new Set();
/** @type {Set<(event: any) => void>} */
const messageListeners = new Set();
/** @type {Set<() => void>} */
const reconnectListeners = new Set();
/** The socket was live before: the next hello ends a gap. */
let wasLive = false;

/** @type {WebSocket | null} */
let socket = null;
/** @type {ConnectionState} */
let state = "offline";
/** @type {string | null} */
let lastEventId = null;
/** @type {ReturnType<typeof setTimeout> | null} */
let retryTimer = null;
let failures = 0;
let wanted = false;
let windowHooked = false;
/** @type {string[]} recently seen event ids, to drop replays */
const seen = [];

const POLICY_VIOLATION = 1008;

/**
 * @param {ConnectionState} next
 */
function setState(next) {
  if (state === next) return;
  state = next;
  for (const fn of [...stateListeners]) {
    try {
      fn(state);
    } catch (err) {
      console.warn("connection listener failed", err);
    }
  }
}

/** @returns {string} */
function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = lastEventId ? `?last_event_id=${encodeURIComponent(lastEventId)}` : "";
  return `${scheme}://${location.host}/ws${query}`;
}

function hookWindow() {
  if (windowHooked || typeof window === "undefined") return;
  windowHooked = true;
  window.addEventListener("online", () => {
    if (wanted && !socket) {
      failures = 0;
      connect();
    }
  });
  window.addEventListener("offline", () => {
    if (wanted) setState("offline");
  });
}

function scheduleRetry() {
  if (!wanted || retryTimer) return;
  failures += 1;
  const delay = Math.min(30000, 1000 * 2 ** Math.min(failures - 1, 5)) * (0.75 + Math.random() * 0.5);
  setState(failures > 2 || !navigator.onLine ? "offline" : "connecting");
  retryTimer = setTimeout(() => {
    retryTimer = null;
    connect();
  }, delay);
}

/**
 * @param {any} event
 */
function dispatch(event) {
  if (event && event.id) {
    if (seen.includes(event.id)) return;
    seen.push(event.id);
    if (seen.length > 500) seen.shift();
    lastEventId = event.id;
  }
  const listeners = event && event.kind === "negotiation-message" ? messageListeners : eventListeners;
  for (const fn of [...listeners]) {
    try {
      fn(event);
    } catch (err) {
      console.error("order event listener failed", err);
    }
  }
}

function connect() {
  hookWindow();
  const session = currentSession();
  if (!wanted || !session || socket) return;
  setState("connecting");
  /** @type {WebSocket} */
  let ws;
  try {
    ws = new WebSocket(socketUrl(), ["lso.bearer", session.token]);
  } catch (err) {
    console.warn("cannot open the WebSocket", err);
    scheduleRetry();
    return;
  }
  socket = ws;
  ws.addEventListener("message", (message) => {
    /** @type {any} */
    let data;
    try {
      data = JSON.parse(String(message.data));
    } catch {
      return;
    }
    if (!data || typeof data !== "object") return;
    if (data.type === "hello") {
      failures = 0;
      setState("live");
      if (wasLive) {
        for (const fn of [...reconnectListeners]) {
          try {
            fn();
          } catch (err) {
            console.error("reconnect listener failed", err);
          }
        }
      }
      wasLive = true;
    } else if (data.type === "event" && data.event) {
      dispatch(data.event);
    }
  });
  ws.addEventListener("close", (close) => {
    if (socket !== ws) return;
    socket = null;
    if (close.code === POLICY_VIOLATION) {
      wanted = false;
      setState("offline");
      expire();
      return;
    }
    if (wanted) scheduleRetry();
    else setState("offline");
  });
}

/**
 * Connect now (if logged in). Called on login; subscribing also connects.
 */
export function startPush() {
  wanted = true;
  if (!socket && !retryTimer) connect();
}

/**
 * Subscribe to order events; returns unsubscribe.
 * @param {(event: OrderEvent) => void} fn
 * @returns {() => void}
 */
export function onOrderEvent(fn) {
  eventListeners.add(fn);
  startPush();
  return () => {
    eventListeners.delete(fn);
  };
}

/**
 * Subscribe to the negotiation messages of the caller's orders ({kind: "negotiation-message", order_id,
 * message: {position, conversation_id, performative, ...}}); returns unsubscribe.
 * @param {(event: any) => void} fn
 * @returns {() => void}
 */
export function onNegotiationMessage(fn) {
  messageListeners.add(fn);
  startPush();
  return () => {
    messageListeners.delete(fn);
  };
}

/**
 * Be told when the socket is live again after a gap (events may have been lost: catch up); returns unsubscribe.
 * @param {() => void} fn
 * @returns {() => void}
 */
export function onReconnect(fn) {
  reconnectListeners.add(fn);
  return () => {
    reconnectListeners.delete(fn);
  };
}

/**
 * Be told about the connection state ("live" | "connecting" | "offline"); called at once with the current one.
 * @param {(state: ConnectionState) => void} fn
 * @returns {() => void} unsubscribe
 */
export function onConnectionChange(fn) {
  stateListeners.add(fn);
  fn(state);
  return () => {
    stateListeners.delete(fn);
  };
}

/**
 * Close the socket and stop reconnecting (on logout).
 */
export function stopPush() {
  wanted = false;
  wasLive = false;
  failures = 0;
  lastEventId = null;
  seen.length = 0;
  if (retryTimer) {
    clearTimeout(retryTimer);
    retryTimer = null;
  }
  const ws = socket;
  socket = null;
  if (ws) {
    try {
      ws.close(1000, "logged out");
    } catch {
      // already closed
    }
  }
  setState("offline");
}

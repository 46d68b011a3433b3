/**
 * Who is logged in: the token and the user, kept in localStorage "lso.session".
 * @module core/session
 */

import { api } from "./api.js";

const KEY = "lso.session";
const EXPIRED_FLAG = "lso.session.expired";

/**
 * @typedef {{id: string, email: string, display_name: string, role: string}} User
 * @typedef {{token: string, user: User}} Session
 */

/** @type {Set<(session: Session | null) => void>} */
const listeners = new Set();

/** @type {Session | null | undefined} cached; undefined = not read yet */
let cached;
let watching = false;

/** Follow logins and logouts made in other tabs of the app. */
function watchOtherTabs() {
  if (watching || typeof window === "undefined") return;
  watching = true;
  window.addEventListener("storage", (event) => {
    if (event.key !== KEY && event.key !== null) return;
    cached = undefined;
    const session = currentSession();
    for (const fn of [...listeners]) {
      try {
        fn(session);
      } catch (err) {
        console.warn("session listener failed", err);
      }
    }
    if (!session) location.hash = "#/login";
  });
}

/**
 * The current session or null.
 * @returns {Session | null}
 */
export function currentSession() {
  watchOtherTabs();
  if (cached === undefined) {
    cached = null;
    try {
      const raw = localStorage.getItem(KEY);
      const parsed = raw ? JSON.parse(raw) : null;
      if (parsed && typeof parsed.token === "string" && parsed.user && parsed.user.role) cached = parsed;
    } catch {
      cached = null;
    }
  }
  return cached ?? null;
}

/**
 * @param {Session | null} session
 */
function store(session) {
  cached = session;
  try {
    if (session) localStorage.setItem(KEY, JSON.stringify(session));
    else localStorage.removeItem(KEY);
  } catch {
    // storage may be unavailable (private mode); the in-memory copy still works
  }
  for (const fn of [...listeners]) {
    try {
      fn(session);
    } catch (err) {
      console.warn("session listener failed", err);
    }
  }
}

/**
 * Log in with e-mail and password (POST /auth/token, then GET /me).
 * @param {string} email
 * @param {string} password
 * @returns {Promise<Session>}
 * @throws {import("./api.js").ApiError}
 */
export async function logIn(email, password) {
  const tokens = await api("/auth/token", {
    method: "POST",
    form: { grant_type: "password", username: email, password },
  });
  const token = tokens.access_token;
  const user = await api("/me", { headers: { Authorization: `Bearer ${token}` } });
  const session = { token, user: { id: user.id, email: user.email, display_name: user.display_name, role: user.role } };
  try {
    sessionStorage.removeItem(EXPIRED_FLAG);
  } catch {
    // ignore
  }
  store(session);
  return session;
}

/**
 * Log out: revoke the token (errors ignored), forget the session, go to the login screen.
 * @returns {Promise<void>}
 */
export async function logOut() {
  if (currentSession()) {
    try {
      await api("/auth/logout", { method: "POST" });
    } catch {
      // the token may already be invalid; logging out locally is what matters
    }
  }
  store(null);
  location.hash = "#/login";
}

/**
 * The session is no longer valid (401 or WebSocket 1008): forget it and ask to log in again.
 */
export function expire() {
  if (!currentSession()) return;
  try {
    sessionStorage.setItem(EXPIRED_FLAG, "1");
  } catch {
    // ignore
  }
  store(null);
  location.hash = "#/login";
}

/**
 * Was the last session ended by expiry? Reading clears the flag when `consume` is true.
 * @param {boolean} [consume]
 * @returns {boolean}
 */
export function sessionExpired(consume = false) {
  try {
    const flag = sessionStorage.getItem(EXPIRED_FLAG) === "1";
    if (consume) sessionStorage.removeItem(EXPIRED_FLAG);
    return flag;
  } catch {
    return false;
  }
}

/**
 * Be told when someone logs in or out.
 * @param {(session: Session | null) => void} fn
 * @returns {() => void} unsubscribe
 */
export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

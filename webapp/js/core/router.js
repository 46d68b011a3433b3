/**
 * Hash router: "#/orders/123?tab=x" -> view({ params: {id: "123"}, query, root }).
 * Matching helpers (matchPattern, parseHash) are pure.
 * @module core/router
 */

import { currentSession } from "./session.js";

/**
 * @typedef {(ctx: {params: Record<string, string>, query: URLSearchParams, root: HTMLElement})
 *   => (void | (() => void) | Promise<void | (() => void)>)} View
 * @typedef {{pattern: string, view: View, roles?: string[]}} Route
 */

/** @type {Route[]} */
const routes = [];
/** @type {(() => void) | null} */
let cleanup = null;
let generation = 0;
let started = false;
let rendered = 0;

/**
 * Match a path against a pattern with ":name" segments.
 * @param {string} pattern e.g. "/orders/:id"
 * @param {string} path e.g. "/orders/abc"
 * @returns {Record<string, string> | null} the params, or null when it does not match
 */
export function matchPattern(pattern, path) {
  const want = pattern.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  if (want.length !== got.length) return null;
  /** @type {Record<string, string>} */
  const params = {};
  for (let i = 0; i < want.length; i += 1) {
    if (want[i].startsWith(":")) {
      let value;
      try {
        value = decodeURIComponent(got[i]);
      } catch {
        return null;
      }
      params[want[i].slice(1)] = value;
    } else if (want[i] !== got[i]) {
      return null;
    }
  }
  return params;
}

/**
 * Split a location hash into path and query.
 * @param {string} hash e.g. "#/orders/1?x=2"
 * @returns {{path: string, query: URLSearchParams}}
 */
export function parseHash(hash) {
  let rest = String(hash || "").replace(/^#/, "");
  const at = rest.indexOf("?");
  const query = new URLSearchParams(at >= 0 ? rest.slice(at + 1) : "");
  if (at >= 0) rest = rest.slice(0, at);
  if (!rest.startsWith("/")) rest = `/${rest}`;
  const path = rest.length > 1 ? rest.replace(/\/+$/, "") : rest;
  return { path, query };
}

/**
 * Home screen of a role.
 * @param {string | null | undefined} role
 * @returns {string}
 */
export function homeFor(role) {
  if (role === "customer") return "/catalogue";
  if (role === "manufacturer") return "/inbox";
  return "/login";
}

/**
 * Register a view for a path pattern.
 * @param {string} pattern e.g. "/orders/:id"
 * @param {View} view
 * @param {{roles?: string[]}} [options] roles allowed to see it; none = anyone (even logged out)
 */
export function route(pattern, view, { roles } = {}) {
  routes.push({ pattern, view, roles });
}

/**
 * Find the route for a path.
 * @param {string} path
 * @returns {{route: Route, params: Record<string, string>} | null}
 */
export function resolve(path) {
  for (const candidate of routes) {
    const params = matchPattern(candidate.pattern, path);
    if (params) return { route: candidate, params };
  }
  return null;
}

/**
 * Go to a path (sets location.hash).
 * @param {string} path e.g. "/orders/abc"
 */
export function navigate(path) {
  const target = `#${path.startsWith("/") ? path : `/${path}`}`;
  if (location.hash === target) {
    render();
  } else {
    location.hash = target;
  }
}

/** Run the cleanup of the current view, if any. */
function leave() {
  const done = cleanup;
  cleanup = null;
  if (done) {
    try {
      done();
    } catch (err) {
      console.warn("view cleanup failed", err);
    }
  }
}

/**
 * Move focus to the view's heading so screen readers announce the new screen.
 * @param {HTMLElement} root
 * @param {boolean} move move the focus (not on the first screen)
 */
function focusHeading(root, move) {
  const heading = /** @type {HTMLElement | null} */ (root.querySelector("h1"));
  const target = heading || root;
  if (heading) {
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    document.title = `${heading.textContent || ""} · Lot size one`;
  }
  if (move) target.focus({ preventScroll: true });
}

/** Render the view for the current hash. */
async function render() {
  const root = /** @type {HTMLElement} */ (document.getElementById("app"));
  const { path, query } = parseHash(location.hash);
  const session = currentSession();
  const role = session ? session.user.role : null;
  const found = resolve(path);
  if (!session && (!found || (found.route.roles && found.route.roles.length))) {
    if (path !== "/login") {
      location.replace("#/login");
      return;
    }
  }
  if (!found || (found.route.roles && !found.route.roles.includes(String(role)))) {
    const home = homeFor(role);
    if (home !== path) {
      location.replace(`#${home}`);
      return;
    }
  }
  if (session && (path === "/login" || path === "/signup")) {
    location.replace(`#${homeFor(role)}`);
    return;
  }
  if (!found) return;
  generation += 1;
  const mine = generation;
  leave();
  root.replaceChildren();
  root.setAttribute("aria-busy", "true");
  window.scrollTo(0, 0);
  try {
    const result = await found.route.view({ params: found.params, query, root });
    if (typeof result === "function") {
      if (mine === generation) cleanup = result;
      else result();
    }
  } catch (err) {
    if (mine === generation) {
      console.error("view failed", err);
      const { errorBox } = await import("../ui/states.js");
      root.replaceChildren(errorBox(err, () => render()));
    }
  } finally {
    if (mine === generation) {
      root.removeAttribute("aria-busy");
      rendered += 1;
      // On the first screen the browser starts at the top anyway; afterwards, announce the new screen.
      focusHeading(root, rendered > 1);
    }
  }
}

/**
 * Start routing: render now and on every hash change.
 */
export function startRouter() {
  if (started) return;
  started = true;
  window.addEventListener("hashchange", () => render());
  render();
}

/**
 * Re-render the current route (e.g. after logging in or out).
 */
export function refresh() {
  render();
}

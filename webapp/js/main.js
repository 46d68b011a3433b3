/**
 * Boot: service worker, session, navigation per role, connection indicator, routes.
 * @module main
 */

import { h } from "./core/dom.js";
import { onConnectionChange, startPush, stopPush } from "./core/push.js";
import { parseHash, route, startRouter } from "./core/router.js";
import { currentSession, logOut, onSessionChange } from "./core/session.js";
import { loginView } from "./views/login.js";

/**
 * Load a view module only when its route is visited, so one broken view cannot break the others.
 * @param {() => Promise<any>} load
 * @param {string} name exported function name
 * @returns {import("./core/router.js").View}
 */
function lazy(load, name) {
  return async (ctx) => {
    const module = await load();
    return module[name](ctx);
  };
}

const CUSTOMER = { roles: ["customer"] };
const MANUFACTURER = { roles: ["manufacturer"] };

route("/login", loginView);
route("/signup", lazy(() => import("./views/signup.js"), "signupView"));
route("/catalogue", lazy(() => import("./views/customer/catalogue.js"), "catalogueView"), CUSTOMER);
route("/products/:id", lazy(() => import("./views/customer/product.js"), "productView"), CUSTOMER);
route("/orders", lazy(() => import("./views/customer/orders.js"), "ordersView"), CUSTOMER);
route("/orders/:id", lazy(() => import("./views/customer/order.js"), "customerOrderView"), CUSTOMER);
route("/inbox", lazy(() => import("./views/manufacturer/inbox.js"), "inboxView"), MANUFACTURER);
route("/inbox/:id", lazy(() => import("./views/manufacturer/order.js"), "manufacturerOrderView"), MANUFACTURER);
route("/policy", lazy(() => import("./views/manufacturer/policy.js"), "policyView"), MANUFACTURER);

/** @type {Record<string, Array<{label: string, path: string}>>} */
const NAV = {
  customer: [{ label: "Catalogue", path: "/catalogue" }, { label: "My orders", path: "/orders" }],
  manufacturer: [{ label: "Inbox", path: "/inbox" }, { label: "Policy", path: "/policy" }],
};

/** Mark the nav link of the current screen with aria-current. */
function markCurrent() {
  const { path } = parseHash(location.hash);
  for (const link of document.querySelectorAll("#nav a[data-path]")) {
    const target = /** @type {HTMLElement} */ (link).dataset.path || "";
    const current = path === target || path.startsWith(`${target}/`)
      || (target === "/catalogue" && path.startsWith("/products/"));
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

/** Build the header nav for the session's role. */
function renderNav() {
  const nav = /** @type {HTMLElement} */ (document.getElementById("nav"));
  const indicator = /** @type {HTMLElement} */ (document.getElementById("connection"));
  const session = currentSession();
  if (!session) {
    nav.replaceChildren();
    indicator.hidden = true;
    return;
  }
  const links = NAV[session.user.role] || [];
  nav.replaceChildren(
    h("ul", { class: "nav-list" },
      links.map((link) => h("li", {}, h("a", { href: `#${link.path}`, dataset: { path: link.path } }, link.label))),
      h("li", { class: "nav-user" },
        h("span", { class: "user-name" }, session.user.display_name || session.user.email),
        h("button", { type: "button", class: "button small ghost", on: { click: () => logOut() } }, "Log out"))));
  indicator.hidden = false;
  markCurrent();
}

const CONNECTION_TEXT = { live: "Live", connecting: "Connecting…", offline: "Offline" };

function watchConnection() {
  const indicator = /** @type {HTMLElement} */ (document.getElementById("connection"));
  const text = /** @type {HTMLElement} */ (document.getElementById("connection-text"));
  onConnectionChange((state) => {
    indicator.dataset.state = state;
    text.textContent = CONNECTION_TEXT[state] || "Offline";
  });
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register("sw.js", { scope: "./", type: "classic" }).catch((err) => {
    console.warn("service worker registration failed", err);
  });
}

function boot() {
  watchConnection();
  renderNav();
  onSessionChange((session) => {
    renderNav();
    if (session) {
      startPush();
    } else {
      stopPush();
    }
  });
  window.addEventListener("hashchange", markCurrent);
  if (currentSession()) startPush();
  startRouter();
  registerServiceWorker();
}

boot();

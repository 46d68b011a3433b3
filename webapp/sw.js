/* Service worker of the Lot size one webapp (scope /app/).
   Precaches the app shell into a versioned cache, serves /app/ files from the cache (refreshing them in the
   background), deletes caches of older versions, and never touches the API or the WebSocket. */
"use strict";

const VERSION = "v5";
const CACHE = `lso-app-${VERSION}`;
const PREFIX = "lso-app-";
const SCOPE_PATH = new URL(self.registration.scope).pathname; // "/app/"

/** The shell: every file the app is made of (missing ones are skipped, not fatal). */
const SHELL = [
  "./",
  "index.html",
  "manifest.webmanifest",
  "css/app.css",
  "icons/icon.svg",
  "icons/icon-192.png",
  "icons/icon-512.png",
  "icons/icon-maskable-512.png",
  "icons/apple-touch-icon.png",
  "js/main.js",
  "js/core/api.js",
  "js/core/coalesce.js",
  "js/core/dom.js",
  "js/core/errors.js",
  "js/core/format.js",
  "js/core/products.js",
  "js/core/push.js",
  "js/core/router.js",
  "js/core/session.js",
  "js/ui/badge.js",
  "js/ui/states.js",
  "js/ui/toast.js",
  "js/views/login.js",
  "js/views/signup.js",
  "js/views/customer/catalogue.js",
  "js/views/customer/product.js",
  "js/views/customer/orders.js",
  "js/views/customer/order.js",
  "js/views/customer/shared.js",
  "js/views/customer/order/status-card.js",
  "js/views/customer/order/facts.js",
  "js/views/customer/order/folds.js",
  "js/views/customer/order/fresh.js",
  "js/views/manufacturer/inbox.js",
  "js/views/manufacturer/order.js",
  "js/views/manufacturer/policy.js",
  "js/views/manufacturer/policy-text.js",
  "js/views/manufacturer/order/actions.js",
  "js/views/manufacturer/order/action-area.js",
  "js/views/manufacturer/order/summary.js",
  "js/views/manufacturer/order/negotiation.js",
  "js/components/timeline.js",
  "js/components/invoice.js",
  "js/components/delivery.js",
  "js/components/quotation.js",
  "js/components/quotation-summary.js",
  "js/components/quotation-answers.js",
  "js/components/network.js",
  "js/components/transcript.js",
  "js/components/negotiation.js",
  "js/components/fields.js",
  "js/components/payment-review.js",
  "js/components/option-fields.js",
  "js/logic/price.js",
  "js/logic/option-values.js",
  "js/logic/offers.js",
  "js/logic/policy.js",
  "js/logic/order-form.js",
  "js/logic/timeline.js",
  "js/logic/delivery.js",
  "js/logic/lines.js",
  "js/logic/manufacturer-steps.js",
  "js/logic/payment.js",
  "js/logic/account.js",
  "js/logic/customer-status.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.allSettled(SHELL.map((path) => cache.add(new Request(path, { cache: "reload" }))));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

/**
 * Is this a request for one of the app's own files?
 * @param {Request} request
 * @returns {boolean}
 */
function isAppFile(request) {
  if (request.method !== "GET") return false;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return false;
  if (!url.pathname.startsWith(SCOPE_PATH)) return false;
  return request.headers.get("Upgrade") === null;
}

/**
 * Fetch from the network and keep a copy of good answers.
 * @param {Request} request
 * @returns {Promise<Response>}
 */
async function fetchAndKeep(request) {
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (!isAppFile(request)) return; // API calls, /ws and other origins go straight to the network
  if (request.mode === "navigate") {
    // The page itself: network first so a new version shows at once; the cached shell when offline.
    event.respondWith((async () => {
      try {
        return await fetchAndKeep(request);
      } catch {
        const cache = await caches.open(CACHE);
        return (await cache.match(request, { ignoreSearch: true }))
          || (await cache.match("./"))
          || (await cache.match("index.html"))
          || Response.error();
      }
    })());
    return;
  }
  // Files: from the cache at once, refreshed in the background (stale-while-revalidate).
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const cached = await cache.match(request);
    const fresh = fetchAndKeep(request);
    if (cached) {
      event.waitUntil(fresh.catch(() => undefined));
      return cached;
    }
    return fresh;
  })());
});

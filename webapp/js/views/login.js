/**
 * #/login: e-mail and password form.
 * @module views/login
 */

import { h } from "../core/dom.js";
import { humanMessage } from "../core/errors.js";
import { homeFor, navigate } from "../core/router.js";
import { logIn, sessionExpired } from "../core/session.js";
import { tooManyLogins } from "../logic/account.js";

/**
 * @param {{root: HTMLElement, query: URLSearchParams}} ctx
 */
export async function loginView({ root }) {
  const expired = sessionExpired(true);
  const alert = h("div", { class: "form-alert", role: "alert" },
    expired ? h("p", { class: "notice notice-warning" }, "Your session has expired. Please log in again.") : null);
  const email = h("input", {
    id: "login-email", name: "username", type: "email", autocomplete: "username", required: true,
    inputmode: "email", spellcheck: "false",
  });
  const password = h("input", {
    id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true,
  });
  const submit = h("button", { type: "submit", class: "button primary wide" }, "Log in");
  const form = h("form", { class: "stack", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "login-email" }, "E-mail"), email),
    h("div", { class: "field" }, h("label", { for: "login-password" }, "Password"), password),
    alert,
    submit);

  /** @param {string} text */
  const showError = (text) => {
    alert.replaceChildren(h("p", { class: "notice notice-error" }, text));
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.replaceChildren();
    const address = /** @type {HTMLInputElement} */ (email).value.trim();
    const secret = /** @type {HTMLInputElement} */ (password).value;
    if (!address || !secret) {
      showError("Enter your e-mail address and password.");
      (address ? password : email).focus();
      return;
    }
    submit.setAttribute("disabled", "");
    submit.textContent = "Logging in…";
    try {
      const session = await logIn(address, secret);
      navigate(homeFor(session.user.role));
    } catch (err) {
      const error = /** @type {any} */ (err);
      showError(error && error.status === 429 ? tooManyLogins(error.retryAfter) : humanMessage(error));
      /** @type {HTMLInputElement} */ (password).select();
    } finally {
      submit.removeAttribute("disabled");
      submit.textContent = "Log in";
    }
  });

  root.append(
    h("section", { class: "login card narrow" },
      h("h1", {}, "Log in"),
      h("p", { class: "lead" }, "Order one-off products, or handle orders as a manufacturer."),
      form,
      h("p", { class: "signup-switch" }, "New here? ", h("a", { href: "#/signup" }, "Create an account")),
      onOwnMachine() && h("details", { class: "demo-hint" },
        h("summary", {}, "Demo accounts"),
        h("ul", {},
          h("li", {}, "Customer: ", h("code", {}, "customer@demo.lso.example"), " / ", h("code", {}, "demo-customer-pass")),
          h("li", {}, "Manufacturer: ", h("code", {}, "manufacturer@demo.lso.example"), " / ",
            h("code", {}, "demo-manufacturer-pass"))))));
}

/** The demo logins (seeded by `lso run`) are only hinted at on a loopback address: a machine of one's own. */
function onOwnMachine() {
  return ["localhost", "127.0.0.1", "[::1]"].includes(location.hostname);
}

/**
 * #/signup: create an account (name, e-mail, password, customer or manufacturer), then be logged in.
 * @module views/signup
 */

import { api } from "../core/api.js";
import { h } from "../core/dom.js";
import { homeFor, navigate } from "../core/router.js";
import { logIn } from "../core/session.js";
import { field, showErrors } from "../components/fields.js";
import { MIN_PASSWORD_LENGTH, passwordHint, signupRefusal } from "../logic/account.js";

const ROLES = [
  { value: "customer", label: "Order products", help: "Configure one-off products and order them." },
  { value: "manufacturer", label: "Make products", help: "Take orders and let your agent source the parts." },
];

/**
 * @param {{root: HTMLElement, query: URLSearchParams}} ctx
 */
export async function signupView({ root }) {
  const name = field("Your name", h("input", {
    id: "signup-name", name: "name", type: "text", autocomplete: "name", required: true, maxlength: "200",
  }));
  const email = field("E-mail", h("input", {
    id: "signup-email", name: "email", type: "email", autocomplete: "email", required: true,
    inputmode: "email", spellcheck: "false",
  }));
  const passwordInput = /** @type {HTMLInputElement} */ (h("input", {
    id: "signup-password", name: "password", type: "password", autocomplete: "new-password", required: true,
    minlength: String(MIN_PASSWORD_LENGTH), maxlength: "256",
  }));
  const password = field("Password", passwordInput, { hint: passwordHint("").text });
  const hint = /** @type {HTMLElement} */ (password.wrap.querySelector(".help"));
  hint.setAttribute("aria-live", "polite");

  const roleChoices = ROLES.map((role, index) => h("div", { class: "check" },
    h("input", {
      type: "radio", name: "role", id: `signup-role-${role.value}`, value: role.value, checked: index === 0,
      "aria-describedby": `signup-role-${role.value}-help`,
    }),
    h("div", {},
      h("label", { for: `signup-role-${role.value}` }, role.label),
      h("p", { class: "help", id: `signup-role-${role.value}-help` }, role.help))));
  const roleError = h("p", { class: "field-error", hidden: true });
  const roles = h("fieldset", {}, h("legend", {}, "I want to"), roleChoices, roleError);

  const alert = h("div", { class: "form-alert", role: "alert" });
  const submit = h("button", { type: "submit", class: "button primary wide" }, "Create account");
  const form = h("form", { class: "stack", novalidate: true },
    name.wrap, email.wrap, password.wrap, roles, alert, submit);

  const values = () => ({
    display_name: /** @type {HTMLInputElement} */ (name.input).value.trim(),
    email: /** @type {HTMLInputElement} */ (email.input).value.trim(),
    password: passwordInput.value,
    role: /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="role"]:checked'))?.value
      || "customer",
  });
  const fields = { display_name: name, email, password };

  const updateHint = () => {
    const { display_name: who, email: address, password: secret } = values();
    hint.textContent = passwordHint(secret, { email: address, name: who }).text;
  };
  passwordInput.addEventListener("input", updateHint);
  name.input.addEventListener("change", updateHint);
  email.input.addEventListener("change", updateHint);

  /**
   * @param {Record<string, string>} byField
   * @param {string} message
   */
  const showRefusal = (byField, message) => {
    const rest = showErrors(fields, byField);
    if (byField.password) hint.textContent = passwordHint("").text; // general advice, not "long enough"
    roleError.textContent = byField.role || "";
    roleError.hidden = !byField.role;
    const text = [message, ...rest].filter(Boolean).join(" ");
    if (text) alert.replaceChildren(h("p", { class: "notice notice-error" }, text));
    else alert.replaceChildren();
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = values();
    /** @type {Record<string, string>} */
    const missing = {};
    if (!body.display_name) missing.display_name = "Enter your name.";
    if (!body.email) missing.email = "Enter your e-mail address.";
    if ([...body.password].length < MIN_PASSWORD_LENGTH) {
      missing.password = passwordHint(body.password, { email: body.email, name: body.display_name }).text;
    }
    if (Object.keys(missing).length) {
      showRefusal(missing, "");
      return;
    }
    showRefusal({}, "");
    submit.setAttribute("disabled", "");
    submit.textContent = "Creating your account…";
    try {
      await api("/auth/register", { method: "POST", json: body });
    } catch (err) {
      const refusal = signupRefusal(/** @type {any} */ (err));
      showRefusal(refusal.fields, refusal.message);
      submit.removeAttribute("disabled");
      submit.textContent = "Create account";
      return;
    }
    submit.textContent = "Logging in…";
    try {
      const session = await logIn(body.email, body.password);
      navigate(homeFor(session.user.role));
    } catch {
      showRefusal({}, "Your account is ready, but logging in failed. Log in with your e-mail and password.");
      submit.removeAttribute("disabled");
      submit.textContent = "Create account";
    }
  });

  root.append(
    h("section", { class: "login card narrow" },
      h("h1", {}, "Create an account"),
      h("p", { class: "lead" }, "Order one-off products, or take orders as a manufacturer."),
      form,
      h("p", { class: "signup-switch" }, "Already have an account? ", h("a", { href: "#/login" }, "Log in"))));
}

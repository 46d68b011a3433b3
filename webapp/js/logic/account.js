/**
 * Pure: words for the sign-up and login screens — a hint while a new password is typed, the server's
 * refusal of a sign-up by field, and the wait after too many failed logins.
 * The gateway decides what is strong (zxcvbn); the hint only says what is plainly not.
 * @module logic/account
 */

/** Shortest password the gateway accepts (gateway/core/password_policy.py MIN_LENGTH). */
export const MIN_PASSWORD_LENGTH = 10;

/**
 * @typedef {{level: "empty" | "short" | "weak" | "fair", text: string}} PasswordHint
 */

/**
 * Parts of the e-mail address and the name, lower-cased, three characters or longer.
 * @param {string} email
 * @param {string} name
 * @returns {string[]}
 */
function personalWords(email, name) {
  const local = String(email || "").trim().toLowerCase().split("@")[0] || "";
  const words = [local, ...local.split(/[^\p{L}\p{N}]+/u), ...String(name || "").toLowerCase().split(/\s+/)];
  return words.filter((word) => word.length >= 3);
}

/**
 * A hint for a new password as it is typed.
 * @param {string} password
 * @param {{email?: string, name?: string}} [who]
 * @returns {PasswordHint}
 */
export function passwordHint(password, { email = "", name = "" } = {}) {
  const text = String(password || "");
  if (!text) {
    return {
      level: "empty",
      text: `At least ${MIN_PASSWORD_LENGTH} characters. A few uncommon words together are hard to guess and easy to remember.`,
    };
  }
  const chars = [...text];
  if (chars.length < MIN_PASSWORD_LENGTH) {
    const more = MIN_PASSWORD_LENGTH - chars.length;
    return { level: "short", text: `${more} more character${more === 1 ? "" : "s"}, please.` };
  }
  const lower = text.toLowerCase();
  if (personalWords(email, name).some((word) => lower.includes(word))) {
    return { level: "weak", text: "Leave out your e-mail address and name: they are the first things a guesser tries." };
  }
  if (/^\d+$/.test(text) || new Set(chars).size <= 2) {
    return { level: "weak", text: "Only digits or a repeated character are easy to guess. Add a few words." };
  }
  return {
    level: "fair",
    text: "Long enough. When you create the account, the platform also checks that it is not a common password.",
  };
}

/**
 * "Try again in …" for a wait in seconds.
 * @param {number | null | undefined} seconds
 * @returns {string}
 */
export function tryAgainIn(seconds) {
  if (typeof seconds !== "number" || !(seconds > 0)) return "Try again in a moment.";
  if (seconds < 60) return `Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

/**
 * Words for too many failed logins (429 from /auth/token), with the wait.
 * @param {number | null | undefined} retryAfter seconds
 * @returns {string}
 */
export function tooManyLogins(retryAfter) {
  return `Too many failed logins from this device. ${tryAgainIn(retryAfter)}`;
}

/** Words for the sign-up fields the gateway may refuse (its field names, without "body."). */
const FIELD_WORDS = {
  email: "Enter an e-mail address like name@example.org.",
  display_name: "Enter your name (up to 200 characters).",
  password: `Use at least ${MIN_PASSWORD_LENGTH} characters.`,
  role: "Choose whether you order products or make them.",
};

/**
 * Why the gateway refused a sign-up, in words: by field where a field is to blame, else as one sentence.
 * @param {{status?: number, detail?: string, retryAfter?: number | null, problem?: any,
 *   fieldErrors?: Record<string, string>}} error an ApiError of POST /auth/register
 * @returns {{fields: Record<string, string>, message: string}} message is "" when the fields say it all
 */
export function signupRefusal(error) {
  const status = error && typeof error.status === "number" ? error.status : undefined;
  const problem = error && error.problem && typeof error.problem === "object" ? error.problem : {};
  if (status === 409) {
    return { fields: { email: "An account with this e-mail address exists already. Log in instead." }, message: "" };
  }
  if (status === 422 && problem.type === "/problems/weak-password") {
    return { fields: { password: String(error.detail || "This password would be easy to guess.") }, message: "" };
  }
  if (status === 422) {
    /** @type {Record<string, string>} */
    const fields = {};
    for (const name of Object.keys((error && error.fieldErrors) || {})) {
      fields[name] = FIELD_WORDS[/** @type {keyof typeof FIELD_WORDS} */ (name)] || "Check this field.";
    }
    if (Object.keys(fields).length) return { fields, message: "" };
    return { fields: {}, message: "Some fields need attention." };
  }
  if (status === 429) return { fields: {}, message: `Too many requests. ${tryAgainIn(error.retryAfter)}` };
  if (status === 0) return { fields: {}, message: "The platform cannot be reached. Check your connection and try again." };
  return { fields: {}, message: "The account could not be created. Please try again later." };
}

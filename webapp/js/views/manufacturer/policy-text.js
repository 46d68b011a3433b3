/**
 * Pure: friendly labels and plain-English explanations of the manufacturer policy fields, and of the choices
 * some fields offer (CHOICES, choiceLabel). The form shows these, never the API's own field descriptions.
 * @module views/manufacturer/policy-text
 */

/** @type {Readonly<Record<string, string>>} */
export const LABELS = Object.freeze({
  auto_accept: "Accept orders automatically",
  auto_source: "Start sourcing automatically",
  auto_produce: "Produce automatically",
  auto_invoice: "Invoice automatically",
  auto_receive_parts: "Confirm arriving parts automatically",
  auto_ship: "Ship automatically",
  carrier: "Carrier you ship with",
  payment: "Bank account customers pay to",
  "payment.account_holder": "Account holder",
  "payment.iban": "IBAN",
  "payment.bic": "BIC (optional)",
  "payment.confirm_by_hand": "Confirm received transfers yourself",
  customer_penalty: "Penalty you pay customers for late delivery",
  "customer_penalty.percent_per_day": "Share of the price per day late (%)",
  "customer_penalty.cap_percent": "At most (% of the price)",
  supplier_penalty: "Penalty suppliers pay you for late parts",
  "supplier_penalty.percent_per_day": "Share of the price per day late (%)",
  "supplier_penalty.cap_percent": "At most (% of the price)",
  capacity_hours_per_week: "Capacity (hours per week)",
  own_processes: "Processes you do yourself",
  sourced_processes: "Processes you buy from suppliers",
  margin: "Margin (%)",
  currency: "Currency",
  strategy: "Negotiation strategy",
  deadline_seconds: "Time per round (seconds)",
  max_rounds: "Most rounds per part",
  weights: "How offers are scored",
  "weights.price": "Weight of price",
  "weights.delivery": "Weight of delivery date",
  "weights.quality": "Weight of quality",
  reservation: "Walk-away points towards suppliers",
  "reservation.max_part_price": "Highest price for any part",
  "reservation.part_price_limits": "Price limits for particular parts",
  "reservation.delivery_slack_days": "Days a part may come late",
  production_days: "Production days",
  max_horizon_days: "Furthest delivery date you take (days ahead)",
  max_suppliers_per_part: "Suppliers asked per part",
});

/** @type {Readonly<Record<string, string>>} */
export const EXPLANATIONS = Object.freeze({
  auto_accept: "On: your agent accepts every order it can make as soon as it arrives. Off: new orders wait in "
    + "your inbox until you press “Accept order” or “Reject order”.",
  auto_source: "On: right after accepting, your agent asks suppliers for the parts. Off: it waits until you press "
    + "“Start sourcing” on the order.",
  auto_produce: "On: once the contracts are signed, production finishes by itself. Off: the order stays in "
    + "production until you report 100 %.",
  auto_invoice: "On: the invoice goes to the customer as soon as the product is finished. Off: it waits until "
    + "you press “Raise invoice”.",
  auto_receive_parts: "On: when a supplier ships parts, your agent confirms they arrived, and claims the agreed "
    + "penalty if they are late. Off: it waits until you press “Parts received” on the order.",
  auto_ship: "On: once the customer has paid, the product leaves with your carrier. Off: it waits until you "
    + "press “Ship” and give the carrier and its tracking reference.",
  carrier: "The carrier named on shipments your agent makes by itself.",
  payment: "Customers pay each invoice by bank transfer to this account, giving the order's reference (shown to "
    + "them with the invoice). Without an account, a payment the customer announces counts as received.",
  "payment.iban": "Checked as you save it: a mistyped IBAN is refused.",
  "payment.confirm_by_hand": "On: an order is paid once you press “Confirm payment received” on it, after "
    + "checking the transfer is on your account. Off: the customer's word that it transferred counts as received.",
  customer_penalty: "What you promise customers for each day an order arrives late, as a share of its price; "
    + "every quotation shows it and the customer's signed order carries it.",
  supplier_penalty: "What each supplier owes you for each day its parts arrive late, as a share of its price; "
    + "every supply agreement carries it.",
  capacity_hours_per_week: "How many hours of work your own workshop can do in a week; your agent uses it to "
    + "judge whether an order's in-house work fits.",
  own_processes: "Parts that need these processes are made in your own workshop and are not sent to suppliers.",
  sourced_processes: "For parts that need these processes your agent asks suppliers for offers. "
    + "An order needing a process in neither list cannot be made. A process cannot be in both lists.",
  margin: "What your agent adds on top of what an order costs you when it quotes the customer: 25 % means the "
    + "customer pays 25 % more than the parts and your own work cost. Between 0 % and 1000 %.",
  currency: "The currency of your requests to suppliers and of your quotations to customers.",
  strategy: "How your agent gives way on price, round after round: Boulware holds the price and concedes late, "
    + "Linear concedes a little each round, Conceder concedes early to agree fast, Tit for tat mirrors what "
    + "the supplier concedes.",
  deadline_seconds: "How long your agent waits for the suppliers' offers in each round before it decides.",
  max_rounds: "How many rounds of offers and revised calls your agent runs for a part before it takes the best offer.",
  weights: "How your agent compares supplier offers: the share of price, delivery date and quality in an offer's "
    + "score. The three must add up to 1.",
  "weights.price": "Higher: cheaper offers win more often.",
  "weights.delivery": "Higher: earlier delivery counts for more.",
  "weights.quality": "Higher: better quality counts for more.",
  reservation: "The limits beyond which your agent walks away from a supplier's offer.",
  "reservation.max_part_price": "Offers above this price for a part are rejected. Leave empty for no general limit.",
  "reservation.part_price_limits": "A limit for a particular part overrides the general one. One per line, "
    + "written as “part-id = price”, e.g. “frame = 120”.",
  "reservation.delivery_slack_days": "How many days later than planned a part may arrive and still be accepted.",
  production_days: "The days you need after the last part arrives until delivery: your agent asks suppliers to "
    + "deliver that many days before the customer's date.",
  max_horizon_days: "Customers can ask for delivery at most this many days after they order; your agent "
    + "refuses later dates, and the order form offers none.",
  max_suppliers_per_part: "How many suppliers your agent asks for each part (the best matching ones).",
});

/**
 * The words of a field's choices, by field path and choice.
 * @type {Readonly<Record<string, Readonly<Record<string, string>>>>}
 */
export const CHOICES = Object.freeze({
  strategy: Object.freeze({
    boulware: "Boulware — hold the price, concede late",
    linear: "Linear — concede a little each round",
    conceder: "Conceder — concede early to agree fast",
    "tit-for-tat": "Tit for tat — mirror what the supplier concedes",
  }),
});

/** Abbreviations written in capitals in a choice's words. */
const CAPITALS = new Set(["cnc", "pcb"]);

/**
 * A choice of a field in words: its entry in CHOICES, else the choice with its dashes as spaces
 * ("cnc-milling" -> "CNC milling", "surface-finishing" -> "Surface finishing").
 * @param {string} path
 * @param {string} choice
 * @returns {string}
 */
export function choiceLabel(path, choice) {
  const known = CHOICES[path] && CHOICES[path][choice];
  if (known) return known;
  const words = String(choice).split("-").map((w) => (CAPITALS.has(w) ? w.toUpperCase() : w));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

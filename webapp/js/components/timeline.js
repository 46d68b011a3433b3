/**
 * The status timeline of an order, for both roles.
 *
 * Usage:
 *   import { statusTimeline } from "../../components/timeline.js";
 *   const timeline = statusTimeline(order);      // <ol aria-label="Status timeline" class="timeline">
 *   section.append(timeline);
 *   // a push event (js/core/push.js onOrderEvent) for this order: shown at once, before any refetch
 *   timeline.addEvent(event);
 *   // after GET /orders/{id} again: the history is the record, the events only add what it lacks
 *   timeline.update(order);
 *
 * Entries are oldest first (js/logic/timeline.js timelineEntries); each shows the status label, when,
 * and what happened in words (from the entry's event, else a neutral sentence of its status; with the
 * price of a quotation or invoice and production progress when no event tells them). The newest entry is
 * marked as the current one (aria-current="step").
 *
 * @module components/timeline
 */

import { h, clear } from "../core/dom.js";
import { statusLabel, statusTone, money, dateTimeLabel } from "../core/format.js";
import { timelineEntries } from "../logic/timeline.js";

/**
 * @typedef {HTMLOListElement & {
 *   update: (order: TimelineOrder) => void,
 *   addEvent: (event: OrderEvent) => void,
 * }} StatusTimeline
 */
/** @typedef {import("../logic/timeline.js").TimelineOrder} TimelineOrder */
/** @typedef {import("../core/push.js").OrderEvent} OrderEvent */

/**
 * @param {import("../logic/timeline.js").TimelineEntry} entry
 * @param {boolean} current
 */
function item(entry, current) {
  const details = [];
  if (!entry.event && entry.price !== null) details.push(money(entry.price, entry.currency || "EUR"));
  if (!entry.event && entry.progress !== null) details.push(`${entry.progress} % done`);
  return h(
    "li",
    {
      class: ["timeline-item", `tone-${statusTone(entry.status)}`, current && "is-current", entry.live && "is-live"],
      "aria-current": current ? "step" : null,
      dataset: { status: entry.status },
    },
    h("span", { class: "timeline-dot", "aria-hidden": "true" }),
    h(
      "div",
      { class: "timeline-body" },
      h(
        "p",
        { class: "timeline-head" },
        h("strong", { class: "timeline-status" }, statusLabel(entry.status)),
        details.length ? h("span", { class: "timeline-detail" }, ` · ${details.join(" · ")}`) : null,
      ),
      h("time", { class: "timeline-time", datetime: entry.at }, dateTimeLabel(entry.at)),
      h("p", { class: "timeline-note" }, entry.sentence),
    ),
  );
}

/**
 * A status timeline element that keeps itself up to date.
 * @param {TimelineOrder} order GET /orders/{id} body
 * @param {{events?: OrderEvent[]}} [options] push events already known for the order
 * @returns {StatusTimeline}
 */
export function statusTimeline(order, { events = [] } = {}) {
  const list = /** @type {StatusTimeline} */ (
    /** @type {unknown} */ (h("ol", { class: "timeline", "aria-label": "Status timeline" }))
  );
  let current = order;
  /** @type {OrderEvent[]} */
  const known = [...events];

  function render() {
    const entries = timelineEntries(current, known);
    clear(list);
    entries.forEach((entry, index) => list.append(item(entry, index === entries.length - 1)));
  }

  list.update = (order) => {
    current = order;
    render();
  };
  list.addEvent = (event) => {
    if (!event || event.order_id !== current.id) return;
    known.push(event);
    if (known.length > 200) known.splice(0, known.length - 200);
    render();
  };
  render();
  return list;
}

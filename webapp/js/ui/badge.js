/**
 * Status badge: <span class="badge tone-…">Label</span>.
 * @module ui/badge
 */

import { h } from "../core/dom.js";
import { statusLabel, statusTone } from "../core/format.js";

/**
 * @param {string} status order status, e.g. "in_production"
 * @param {Record<string, any>} [attrs] extra attributes (e.g. {"data-testid": "order-status"})
 * @returns {HTMLElement}
 */
export function statusBadge(status, attrs = {}) {
  const extra = attrs.class ? ` ${attrs.class}` : "";
  return h("span", { ...attrs, class: `badge tone-${statusTone(status)}${extra}`, dataset: { status } },
    statusLabel(status));
}

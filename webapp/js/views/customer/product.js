/**
 * #/products/:id — the configurator: a field per option (components/option-fields), quantity, delivery date,
 * the estimated price range (data-testid="price", from POST /products/{id}/estimate, asked again shortly after every
 * change) and "Place order" (POST /orders; 202 -> the order's page). The date input offers only the dates
 * the estimate says the manufacturer takes, starting at the earliest.
 * @module views/customer/product
 */

import { h, clear } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { money, todayIso, dateLabel } from "../../core/format.js";
import { humanMessage } from "../../core/errors.js";
import { navigate } from "../../core/router.js";
import { loading, errorBox } from "../../ui/states.js";
import { notify, orderTopic } from "../../ui/toast.js";
import { defaultSelections, estimateBody, rangeText, orderOptions } from "../../logic/price.js";
import { validateOrder, feasibleDate } from "../../logic/order-form.js";
import { field, showErrors } from "../../components/fields.js";
import { optionFields } from "../../components/option-fields.js";
import { loadProduct, productTile } from "./shared.js";

/**
 * @param {{params: {id: string}, root: HTMLElement}} ctx
 */
export async function productView({ params, root }) {
  const controller = new AbortController();
  const heading = h("h1", {}, "Product");
  const body = h("div", { class: "product-body" }, loading("Loading the product…"));
  root.append(
    h(
      "div",
      { class: "view customer-view" },
      h("p", { class: "back" }, h("a", { href: "#/catalogue" }, "← All products")),
      heading,
      body,
    ),
  );

  /** @type {any} */
  let product;
  async function start() {
    clear(body).append(loading("Loading the product…"));
    try {
      product = await loadProduct(params.id, { signal: controller.signal, fresh: true });
    } catch (error) {
      if (controller.signal.aborted) return;
      clear(body).append(errorBox(error, start));
      return;
    }
    heading.textContent = product.name;
    document.title = `${product.name} · Lot size one`;
    clear(body).append(configurator(product));
  }

  /**
   * @param {any} product ProductPublic
   */
  function configurator(product) {
    const currency = product.currency || "EUR";
    const selections = defaultSelections(product);
    /** @type {Record<string, import("../../components/fields.js").Field>} */
    const fields = {};

    const optionInputs = optionFields(product, { selections, fields, currency, onChange: () => updatePrice() });

    const quantity = h("input", {
      type: "number",
      name: "quantity",
      min: "1",
      max: "10000",
      step: "1",
      value: "1",
      inputmode: "numeric",
      on: { input: () => updatePrice() },
    });
    const today = todayIso();
    /** The customer picked a date (else the form keeps the earliest feasible one). */
    let picked = false;
    const date = h("input", {
      type: "date",
      name: "delivery_date",
      min: today,
      on: { input: () => { picked = true; } },
    });
    fields.quantity = field("Quantity", quantity);
    fields.delivery_date = field("Delivery date", date, {
      hint: "When you would like to receive it: from the earliest date the manufacturer can make. "
        + "The quotation confirms the date.",
    });

    const priceValue = h("span", { class: "price-value", dataset: { testid: "price" } });
    const priceNote = h("span", { class: "price-note" });
    const priceFine = h(
      "p",
      { class: "price-fine" },
      "The manufacturer's agents negotiate with suppliers and send you a quotation with the final price; "
        + "nothing is binding until you confirm it.",
    );
    /** @type {any} the latest ProductEstimate, null while none matches the form */
    let estimate = null;
    /** @type {AbortController | null} */
    let asking = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let pending;
    const ESTIMATE_DELAY_MS = 300;
    const formError = h("div", { class: "form-error" });
    const submit = h("button", { type: "submit", class: "button primary" }, "Place order");

    /** Ask for the estimate shortly after the last change (one request for a burst of changes). */
    function updatePrice() {
      clearTimeout(pending);
      if (asking) asking.abort();
      estimate = null;
      const body = estimateBody(product, selections, /** @type {HTMLInputElement} */ (quantity).value);
      if (body === null) {
        priceValue.textContent = "—";
        priceNote.textContent = "Enter a quantity from 1 to 10,000.";
        return;
      }
      priceNote.textContent = "Estimating…";
      pending = setTimeout(() => askEstimate(body), ESTIMATE_DELAY_MS);
    }

    /** @param {{options: Record<string, string>, quantity: number}} body */
    async function askEstimate(body) {
      if (controller.signal.aborted) return;
      const mine = new AbortController();
      asking = mine;
      const stop = () => mine.abort();
      controller.signal.addEventListener("abort", stop, { once: true });
      try {
        const answer = await api(`/products/${encodeURIComponent(product.id)}/estimate`, {
          method: "POST",
          json: body,
          signal: mine.signal,
        });
        if (mine.signal.aborted) return;
        showEstimate(answer, body.quantity);
      } catch (error) {
        if (mine.signal.aborted) return;
        priceValue.textContent = "—";
        const err = /** @type {any} */ (error);
        const why = err && err.status === 422 && err.fieldErrors && err.fieldErrors.options
          ? err.fieldErrors.options
          : humanMessage(err);
        priceNote.textContent = `No estimate: ${why}`;
      } finally {
        controller.signal.removeEventListener("abort", stop);
        if (asking === mine) asking = null;
      }
    }

    /**
     * @param {any} answer ProductEstimate
     * @param {number} count
     */
    function showEstimate(answer, count) {
      estimate = answer;
      priceValue.textContent = rangeText(answer, money);
      const pieces = count === 1 ? "for one piece" : `for ${count} pieces`;
      priceNote.textContent = `${pieces} · delivery from ${dateLabel(answer.earliest_delivery)}`;
      priceFine.textContent = `${answer.explanation} Nothing is binding until you confirm the quotation.`;
      const input = /** @type {HTMLInputElement} */ (date);
      input.min = answer.earliest_delivery;
      input.max = answer.latest_delivery;
      input.value = feasibleDate({
        current: input.value,
        picked,
        earliest: answer.earliest_delivery,
        latest: answer.latest_delivery,
      });
    }

    async function place(/** @type {Event} */ event) {
      event.preventDefault();
      clear(formError);
      const values = {
        quantity: /** @type {HTMLInputElement} */ (quantity).value,
        deliveryDate: /** @type {HTMLInputElement} */ (date).value,
      };
      const problems = validateOrder({
        ...values,
        today: todayIso(),
        earliest: estimate ? estimate.earliest_delivery : undefined,
        latest: estimate ? estimate.latest_delivery : undefined,
        dateLabel,
      });
      Object.assign(problems, optionInputs.check());
      showErrors(fields, problems);
      if (Object.keys(problems).length) return;
      if (optionInputs.busy()) {
        formError.append(errorBox("Wait until your file is uploaded, then place the order."));
        return;
      }
      /** @type {HTMLButtonElement} */ (submit).disabled = true;
      submit.textContent = "Placing order…";
      try {
        const accepted = await api("/orders", {
          method: "POST",
          json: {
            product_id: product.id,
            options: orderOptions(product, selections),
            ...optionInputs.values(),
            quantity: Number(values.quantity),
            delivery_date: values.deliveryDate,
          },
          signal: controller.signal,
        });
        notify("Order placed. The agents are looking for suppliers.", {
          tone: "success",
          topic: orderTopic(accepted.id, "received"),
        });
        navigate(`/orders/${encodeURIComponent(accepted.id)}`);
      } catch (error) {
        if (controller.signal.aborted) return;
        /** @type {HTMLButtonElement} */ (submit).disabled = false;
        submit.textContent = "Place order";
        const err = /** @type {any} */ (error);
        if (err && err.status === 422) {
          const rest = showErrors(fields, err.fieldErrors || {});
          formError.append(errorBox(rest.length ? { ...err, status: 400, detail: rest.join(" ") } : err));
        } else {
          formError.append(errorBox(error));
        }
      }
    }

    updatePrice();
    return h(
      "div",
      { class: "configurator" },
      h(
        "div",
        { class: "configurator-intro" },
        productTile(product),
        product.description ? h("p", { class: "lead" }, product.description) : null,
      ),
      h(
        "form",
        { class: "form configurator-form", novalidate: true, on: { submit: place } },
        optionInputs.wraps.length
          ? h("fieldset", { class: "fieldset" }, h("legend", {}, "Your choices"), optionInputs.wraps)
          : null,
        h(
          "fieldset",
          { class: "fieldset" },
          h("legend", {}, "Quantity and delivery"),
          fields.quantity.wrap,
          fields.delivery_date.wrap,
        ),
        priceFine,
        formError,
        h(
          "div",
          { class: "price-box" },
          h(
            "p",
            { class: "price", "aria-live": "polite" },
            h("span", { class: "price-label" }, "Estimated price"),
            priceValue,
            priceNote,
          ),
          submit,
        ),
      ),
    );
  }

  await start();
  return () => controller.abort();
}

/**
 * #/products/:id — the configurator: one select per option, quantity, delivery date, the estimated
 * price (data-testid="price", updated on every change) and "Place order" (POST /orders; 202 -> the
 * order's page).
 * @module views/customer/product
 */

import { h, clear } from "../../core/dom.js";
import { api } from "../../core/api.js";
import { money, todayIso, addDays } from "../../core/format.js";
import { navigate } from "../../core/router.js";
import { loading, errorBox } from "../../ui/states.js";
import { notify } from "../../ui/toast.js";
import { defaultSelections, estimatePrice, orderOptions, deltaParts } from "../../logic/price.js";
import { validateOrder } from "../../logic/order-form.js";
import { field, showErrors } from "../../components/fields.js";
import { loadProduct, productTile } from "./shared.js";

/**
 * Text of a choice in its select: "Aluminium (+€90.00)", "80 cm (−€40.00)", "Steel".
 * @param {any} choice
 * @param {string} currency
 */
function choiceText(choice, currency) {
  const { sign, amount } = deltaParts(choice.cost_delta);
  if (!sign) return choice.label;
  return `${choice.label} (${sign === "+" ? "+" : "−"}${money(amount, currency)})`;
}

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

    const optionFields = (product.options || []).map((/** @type {any} */ option) => {
      const select = h(
        "select",
        { name: option.id, on: { change: () => {
          selections[option.id] = /** @type {HTMLSelectElement} */ (select).value;
          updatePrice();
        } } },
        option.required ? null : h("option", { value: "" }, "None"),
        (option.choices || []).map((/** @type {any} */ choice) => h("option", { value: choice.id }, choiceText(choice, currency))),
      );
      /** @type {HTMLSelectElement} */ (select).value = selections[option.id];
      const f = field(option.label, select, { hint: option.required ? "" : "Optional" });
      fields[`options.${option.id}`] = f;
      return f.wrap;
    });

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
    const date = h("input", {
      type: "date",
      name: "delivery_date",
      min: today,
      value: addDays(today, 30),
    });
    fields.quantity = field("Quantity", quantity);
    fields.delivery_date = field("Delivery date", date, {
      hint: "When you would like to receive it. The quotation confirms the date.",
    });

    const priceValue = h("span", { class: "price-value", dataset: { testid: "price" } });
    const priceNote = h("span", { class: "price-note" });
    const formError = h("div", { class: "form-error" });
    const submit = h("button", { type: "submit", class: "button primary" }, "Place order");

    function updatePrice() {
      const estimate = estimatePrice(product, selections, /** @type {HTMLInputElement} */ (quantity).value);
      if (estimate.total === null) {
        priceValue.textContent = "—";
        priceNote.textContent = `${money(estimate.unit, currency)} each · enter a quantity from 1 to 10,000`;
      } else {
        priceValue.textContent = money(estimate.total, currency);
        priceNote.textContent = estimate.quantity === 1
          ? "for one piece"
          : `${money(estimate.unit, currency)} each × ${estimate.quantity}`;
      }
    }

    async function place(/** @type {Event} */ event) {
      event.preventDefault();
      clear(formError);
      const values = {
        quantity: /** @type {HTMLInputElement} */ (quantity).value,
        deliveryDate: /** @type {HTMLInputElement} */ (date).value,
      };
      const problems = validateOrder({ ...values, today: todayIso() });
      showErrors(fields, problems);
      if (Object.keys(problems).length) return;
      /** @type {HTMLButtonElement} */ (submit).disabled = true;
      submit.textContent = "Placing order…";
      try {
        const accepted = await api("/orders", {
          method: "POST",
          json: {
            product_id: product.id,
            options: orderOptions(product, selections),
            quantity: Number(values.quantity),
            delivery_date: values.deliveryDate,
          },
          signal: controller.signal,
        });
        notify("Order placed. The agents are looking for suppliers.", { tone: "success" });
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
        optionFields.length
          ? h("fieldset", { class: "fieldset" }, h("legend", {}, "Your choices"), optionFields)
          : null,
        h(
          "fieldset",
          { class: "fieldset" },
          h("legend", {}, "Quantity and delivery"),
          fields.quantity.wrap,
          fields.delivery_date.wrap,
        ),
        h(
          "p",
          { class: "price-fine" },
          "The estimate comes from the catalogue. The manufacturer's agents negotiate with suppliers and "
            + "send you a quotation with the final price; nothing is binding until you confirm it.",
        ),
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

"""Sample template arguments for every template of the model (tests, the bench, documentation)."""

from __future__ import annotations

from typing import Any

CUSTOMER = "Customer"
MANUFACTURER = "Manufacturer"
SUPPLIER = "Supplier"
OUTSIDER = "Outsider"
PARTIES = (CUSTOMER, MANUFACTURER, SUPPLIER, OUTSIDER)

ITEM = {"itemId": "bike-frame", "description": "custom frame", "quantity": 1, "price": "120.50"}


def customer_order(
    order_id: str = "order-1", customer: str = CUSTOMER, manufacturer: str = MANUFACTURER
) -> dict[str, Any]:
    return {
        "orderId": order_id,
        "customer": customer,
        "manufacturer": manufacturer,
        "productId": "bike-42",
        "quantity": 1,
        "deliveryDate": "2027-03-01",
        "placedAt": "2026-11-25T10:00:00Z",
    }


def order_terms(
    order_id: str = "order-1", customer: str = CUSTOMER, manufacturer: str = MANUFACTURER
) -> dict[str, Any]:
    return {
        "orderId": order_id,
        "customer": customer,
        "manufacturer": manufacturer,
        "items": [ITEM],
        "price": "120.50",
        "currency": "EUR",
        "deliveryDate": "2027-03-01",
        "penalty": {"perDayLate": "5", "cap": "50"},
    }


def supply_terms(
    order_id: str = "order-1", manufacturer: str = MANUFACTURER, supplier: str = SUPPLIER
) -> dict[str, Any]:
    return {
        "orderId": order_id,
        "manufacturer": manufacturer,
        "supplier": supplier,
        "items": [{**ITEM, "price": "80"}],
        "price": "80",
        "currency": "EUR",
        "deliveryDate": "2027-02-15",
        "penalty": None,
    }


def invoice(order_id: str = "order-1", issuer: str = MANUFACTURER, payer: str = CUSTOMER) -> dict[str, Any]:
    return {
        "invoiceId": f"inv-{order_id}",
        "orderId": order_id,
        "issuer": issuer,
        "payer": payer,
        "amount": "120.50",
        "currency": "EUR",
        "issuedAt": "2027-03-01T12:00:00Z",
        "dueDate": "2027-03-31",
    }


PAY_ARGUMENT = {"paymentRef": "SEPA-0001", "paidAt": "2027-03-10T09:30:00Z"}

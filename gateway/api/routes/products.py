"""The product catalogue: everyone logged in reads it; a manufacturer adds and changes its own products."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import uuid4

from fastapi import APIRouter, Depends, HTTPException, Response, status
from pydantic import ValidationError

from agents.manufacturer.order_estimate import EstimateError, estimate_order, lowest_price
from gateway.api.deps import CurrentUser, DbDep, ManufacturerUser, require_role
from gateway.api.invalid import invalid_body, invalid_field
from gateway.catalogue.estimates import EstimateBasis, basis_of
from gateway.core.principal import Principal
from gateway.schemas.common import KeyPath, KeyQuery
from gateway.schemas.paging import Limit, Offset, Page
from gateway.schemas.products import (
    EstimateRequest,
    ProductCreate,
    ProductEstimate,
    ProductPublic,
    ProductUpdate,
)
from ontology.customisation import Customisation, CustomisationError
from ontology.product import Product
from store.enums import UserRole
from store.errors import ConflictError
from store.product_rows import new_product_row, product_of, stored_options
from store.records import ProductRecord
from store.repositories import Repositories

log = logging.getLogger(__name__)

router = APIRouter(prefix="/products", tags=["products"])


PartyUser = Annotated[Principal, Depends(require_role(UserRole.CUSTOMER, UserRole.MANUFACTURER))]


def _public(record: ProductRecord, basis: EstimateBasis | None = None) -> ProductPublic:
    """The product as its manufacturer reads it; with its ``basis``, priced from the estimate."""
    product = product_of(record)
    return ProductPublic.of(product, record.created_at, record.updated_at, _price_from(product, basis))


def _as_read_by(user: Principal, product: ProductPublic) -> ProductPublic:
    """Costs, parts and machine minutes are the product's manufacturer's (and admins') to read."""
    if user.role is UserRole.ADMIN or user.user_id == product.manufacturer_id:
        return product
    return product.without_costs()


def _price_from(product: Product, basis: EstimateBasis | None) -> Decimal | None:
    if basis is None or basis.policy.currency != product.currency:
        return None
    return lowest_price(product, basis.policy, basis.prices, date.today())


async def _bases(repos: Repositories, manufacturer_ids: set[str]) -> dict[str, EstimateBasis | None]:
    return {manufacturer: await basis_of(repos, manufacturer) for manufacturer in sorted(manufacturer_ids)}


@router.get("", response_model=Page[ProductPublic], summary="The catalogue, optionally of one manufacturer")
async def list_products(
    user: CurrentUser,
    db: DbDep,
    limit: Limit = 50,
    offset: Offset = 0,
    manufacturer_id: KeyQuery = None,
) -> Page[ProductPublic]:
    async with db.transaction() as repos:
        records = await repos.products.list_all(manufacturer_id, limit=limit + 1, offset=offset)
        bases = await _bases(repos, {record.manufacturer_id for record in records[:limit]})
    products: list[ProductPublic] = []
    for record in records:
        try:
            products.append(_as_read_by(user, _public(record, bases.get(record.manufacturer_id))))
        except ValueError as exc:  # a row some agent wrote that the ontology refuses: left out
            log.warning("product %s is not valid and is not listed: %s", record.id, exc)
    return Page[ProductPublic].of(products, limit, offset)


@router.get(
    "/{product_id}",
    response_model=ProductPublic,
    summary="A product: its options and choices; for its manufacturer also what each costs and needs",
    responses={404: {"description": "no such product"}},
)
async def get_product(product_id: KeyPath, user: CurrentUser, db: DbDep) -> ProductPublic:
    async with db.transaction() as repos:
        record = await repos.products.get(product_id)
        basis = None if record is None else await basis_of(repos, record.manufacturer_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no product {product_id}")
    try:
        return _as_read_by(user, _public(record, basis))
    except ValueError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"product {product_id} is not available") from exc


@router.post(
    "/{product_id}/estimate",
    response_model=ProductEstimate,
    summary="The expected price range and the delivery dates the manufacturer takes, for one configuration",
    responses={
        403: {"description": "neither a customer nor the product's manufacturer"},
        404: {"description": "no such product"},
        409: {"description": "the product's manufacturer has no agent taking orders"},
        422: {"description": "options that do not fit the product, or a configuration nobody here can make"},
    },
)
async def estimate_product(
    product_id: KeyPath, body: EstimateRequest, user: PartyUser, db: DbDep
) -> ProductEstimate:
    async with db.transaction() as repos:
        record = await repos.products.get(product_id)
        if record is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no product {product_id}")
        owner = record.manufacturer_id == user.user_id
        if user.role is UserRole.MANUFACTURER and not owner:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, "only customers and its manufacturer estimate a product"
            )
        basis = await basis_of(repos, record.manufacturer_id)
    try:
        product = product_of(record)
    except ValueError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"product {product_id} is not available") from exc
    if basis is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, "the manufacturer of this product has no agent taking orders yet"
        )
    try:
        customisation = Customisation.choices_with_defaults(product, body.options)
        made = estimate_order(
            product,
            customisation,
            body.quantity,
            basis.policy,
            basis.prices,
            basis.facts.queued_minutes,
            date.today(),
        )
    except CustomisationError as exc:
        raise invalid_field("options", exc.problems) from exc
    except EstimateError as exc:
        raise invalid_field("options", [str(exc)]) from exc
    except ValidationError as exc:
        raise invalid_body(exc) from exc
    return ProductEstimate.of(product.id, made, owner=owner)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductPublic,
    summary="Add a product to the calling manufacturer's catalogue",
    responses={409: {"description": "the id is taken"}, 422: {"description": "the product is not valid"}},
)
async def create_product(
    body: ProductCreate, user: ManufacturerUser, db: DbDep, response: Response
) -> ProductPublic:
    try:
        product = body.to_product(body.id or uuid4().hex, user.user_id, body.currency)
    except ValidationError as exc:
        raise invalid_body(exc) from exc
    try:
        async with db.transaction() as repos:
            record = await repos.products.add(new_product_row(product))
    except ConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"a product with id {product.id} exists") from exc
    response.headers["Location"] = f"/products/{record.id}"
    return _public(record)


@router.put(
    "/{product_id}",
    response_model=ProductPublic,
    summary="Replace one of the calling manufacturer's products",
    responses={
        404: {"description": "no such product of this manufacturer"},
        422: {"description": "not valid"},
    },
)
async def update_product(
    product_id: KeyPath, body: ProductUpdate, user: ManufacturerUser, db: DbDep
) -> ProductPublic:
    async with db.transaction() as repos:
        current = await repos.products.get(product_id)
        if current is None or current.manufacturer_id != user.user_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no product {product_id} of yours")
        try:
            product = body.to_product(current.id, user.user_id, current.currency)
        except ValidationError as exc:
            raise invalid_body(exc) from exc
        record = await repos.products.update(
            current.id,
            name=product.name,
            description=product.description,
            options=stored_options(product),
            base_price=product.base_cost,
        )
    return _public(record)

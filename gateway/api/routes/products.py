"""The product catalogue: everyone logged in reads it; a manufacturer adds and changes its own products."""

from __future__ import annotations

import logging
from uuid import uuid4

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import ValidationError

from gateway.api.deps import CurrentUser, DbDep, ManufacturerUser
from gateway.api.invalid import invalid_body
from gateway.catalogue.records import new_product_row, product_of, stored_options
from gateway.schemas.common import KeyPath, KeyQuery
from gateway.schemas.paging import Limit, Offset, Page
from gateway.schemas.products import ProductCreate, ProductPublic, ProductUpdate
from store.errors import ConflictError
from store.records import ProductRecord

log = logging.getLogger(__name__)

router = APIRouter(prefix="/products", tags=["products"])


def _public(record: ProductRecord) -> ProductPublic:
    return ProductPublic.of(product_of(record), record.created_at, record.updated_at)


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
    products: list[ProductPublic] = []
    for record in records:
        try:
            products.append(_public(record))
        except ValueError as exc:  # a row some agent wrote that the ontology refuses: left out
            log.warning("product %s is not valid and is not listed: %s", record.id, exc)
    return Page[ProductPublic].of(products, limit, offset)


@router.get(
    "/{product_id}",
    response_model=ProductPublic,
    summary="A product: its options, their choices, what each costs and the parts each needs",
    responses={404: {"description": "no such product"}},
)
async def get_product(product_id: KeyPath, user: CurrentUser, db: DbDep) -> ProductPublic:
    async with db.transaction() as repos:
        record = await repos.products.get(product_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no product {product_id}")
    try:
        return _public(record)
    except ValueError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"product {product_id} is not available") from exc


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

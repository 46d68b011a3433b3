"""Products of manufacturers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from store.coltypes import utcnow
from store.errors import ConflictError, NotFoundError
from store.models import ProductRow, UserRow
from store.records import NewProduct, ProductRecord, jsonable
from store.repositories.base import Repository


class ProductRepository(Repository):
    async def add(self, new: NewProduct) -> ProductRecord:
        """Add a product.

        :class:`NotFoundError` without its manufacturer, :class:`ConflictError` if the id is taken.
        """
        if await self.session.get(UserRow, new.manufacturer_id) is None:
            raise NotFoundError(f"no manufacturer {new.manufacturer_id!r}")
        now = utcnow()
        stmt = self.insert_ignoring_conflicts(
            ProductRow, {**new.model_dump(), "created_at": now, "updated_at": now}
        )
        row = (await self.session.scalars(stmt)).one_or_none()
        if row is None:
            raise ConflictError(f"a product with id {new.id!r} already exists")
        return ProductRecord.model_validate(row)

    async def get(self, product_id: str) -> ProductRecord | None:
        row = await self.session.get(ProductRow, product_id, populate_existing=True)
        return None if row is None else ProductRecord.model_validate(row)

    async def require(self, product_id: str) -> ProductRecord:
        product = await self.get(product_id)
        if product is None:
            raise NotFoundError(f"no product {product_id!r}")
        return product

    async def list_all(
        self, manufacturer_id: str | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[ProductRecord]:
        stmt = select(ProductRow).order_by(ProductRow.name, ProductRow.id).limit(limit).offset(offset)
        if manufacturer_id is not None:
            stmt = stmt.where(ProductRow.manufacturer_id == manufacturer_id)
        return [ProductRecord.model_validate(row) for row in await self.session.scalars(stmt)]

    async def list_by_manufacturer(self, manufacturer_id: str) -> list[ProductRecord]:
        return await self.list_all(manufacturer_id, limit=10_000)

    async def update(
        self,
        product_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        options: Any = None,
        base_price: Decimal | None = None,
    ) -> ProductRecord:
        """Change the given fields (``None`` leaves a field as it is)."""
        changes: dict[str, Any] = {"updated_at": utcnow()}
        if name is not None:
            changes["name"] = name
        if description is not None:
            changes["description"] = description
        if options is not None:
            changes["options"] = jsonable(options)
        if base_price is not None:
            changes["base_price"] = base_price
        stmt = (
            update(ProductRow)
            .where(ProductRow.id == product_id)
            .values(**changes)
            .returning(ProductRow)
            .execution_options(populate_existing=True)
        )
        row = (await self.session.scalars(stmt)).one_or_none()
        if row is None:
            raise NotFoundError(f"no product {product_id!r}")
        return ProductRecord.model_validate(row)

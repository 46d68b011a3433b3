"""Files customers give as option values (CAD drawings, artwork), and their download by an order's parties.

``POST /uploads`` stores a file in the database once its content shows it is one of the types we
recognise (:mod:`gateway.media`) and it is not larger than ``LSO_GATEWAY_UPLOAD_MAX_BYTES``. Only its
uploader may give it in an order (``files`` of ``POST /orders``); only the parties of an order that
took it may download it, as an attachment that browsers do not sniff or run. An upload no order
took within :data:`UNATTACHED_LIFETIME` is deleted (checked on every upload).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, HTTPException, Response, UploadFile, status

from gateway.api.deps import CurrentUser, CustomerUser, DbDep, SettingsDep
from gateway.api.order_access import may_see, not_found
from gateway.core.problems import TOO_LARGE, ProblemError
from gateway.core.uploads import UPLOADS_PATH
from gateway.media import UnsafeFile, detect, known_types_words
from gateway.schemas.common import KeyPath
from gateway.schemas.uploads import UploadPublic
from ontology.product import MediaType, size_words
from store.coltypes import utcnow
from store.records import NewUpload, OrderRecord

router = APIRouter(tags=["uploads"])

UNATTACHED_LIFETIME = timedelta(days=1)
"""How long an upload no order took is kept."""

UNSUPPORTED_FILE = "/problems/unsupported-file"

_FOLDERS = re.compile(r"^.*[/\\]")


def safe_name(filename: str | None) -> str:
    """The file's name without folders, control characters or surrounding blanks (at most 200 characters);
    "file" when nothing is left."""
    name = _FOLDERS.sub("", filename or "")
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[: 199 - len(extension)]}.{extension}" if dot and len(extension) < 20 else name[:200]
    return name or "file"


def _attachment(name: str) -> str:
    """A Content-Disposition header value: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _takes(order: OrderRecord, upload_id: str) -> bool:
    files = order.customisation.get("files", {})
    return isinstance(files, dict) and any(
        isinstance(value, dict) and value.get("upload_id") == upload_id for value in files.values()
    )


@router.post(
    UPLOADS_PATH,
    status_code=status.HTTP_201_CREATED,
    response_model=UploadPublic,
    summary="Upload a file (a CAD drawing, artwork) to give as a file option's value in an order",
    responses={
        413: {"description": "the file is larger than LSO_GATEWAY_UPLOAD_MAX_BYTES"},
        415: {
            "description": "the content is not a PDF, PNG, JPEG, SVG, STEP, STL or DXF file, or an unsafe SVG"
        },
        422: {"description": "no file, or an empty one"},
    },
)
async def upload_file(
    file: Annotated[UploadFile, File(description="the file, as multipart/form-data field 'file'")],
    user: CustomerUser,
    db: DbDep,
    settings: SettingsDep,
) -> UploadPublic:
    name = safe_name(file.filename)
    limit = settings.upload_max_bytes
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise ProblemError(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"{name!r} is larger than {size_words(limit)}, the largest file accepted",
            type=TOO_LARGE,
            title="File too large",
        )
    if not content:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name!r} is empty")
    try:
        media_type = detect(content)
    except UnsafeFile as exc:
        raise ProblemError(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"{name!r}: {exc}",
            type=UNSUPPORTED_FILE,
            title="File not accepted",
        ) from exc
    if media_type is None:
        raise ProblemError(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"{name!r} is not a {known_types_words()} file (judged by its content, not its name)",
            type=UNSUPPORTED_FILE,
            title="File not accepted",
        )
    async with db.transaction() as repos:
        await repos.uploads.delete_unattached(utcnow() - UNATTACHED_LIFETIME)
        record = await repos.uploads.add(
            NewUpload(owner_id=user.user_id, name=name, media_type=str(media_type), content=content)
        )
    return UploadPublic.of(record)


@router.get(
    "/orders/{order_id}/files/{upload_id}",
    response_class=Response,
    summary="Download a file an order was given (its customer and its manufacturer)",
    responses={
        200: {
            "content": {
                str(media): {"schema": {"type": "string", "format": "binary"}} for media in MediaType
            },
            "description": "the file, as an attachment, in the media type its content showed",
        },
        404: {"description": "no such order of yours, or the order was not given this file"},
    },
)
async def download_file(order_id: KeyPath, upload_id: KeyPath, user: CurrentUser, db: DbDep) -> Response:
    async with db.transaction() as repos:
        order = await repos.orders.get(order_id)
        if order is None or not may_see(user, order):
            raise not_found(order_id)
        record = await repos.uploads.get(upload_id) if _takes(order, upload_id) else None
        content = await repos.uploads.content(upload_id) if record is not None else None
    if record is None or content is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"order {order_id} has no file {upload_id}")
    return Response(
        content,
        media_type=record.media_type,
        headers={
            "Content-Disposition": _attachment(record.name),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )

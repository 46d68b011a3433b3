"""An order's customisation from a request: the uploads it names, and its problems located per field.

A problem with a choice is reported at ``options.<option id>``, with a number at ``numbers.<option id>``,
a text at ``texts.<option id>``, a file at ``files.<option id>`` (422, every problem in words).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi.exceptions import RequestValidationError

from ontology.customisation import CustomisationError
from ontology.product import AttachedFile
from store.repositories import Repositories

#: The body field of each customisation field (the API calls the choices ``options``).
_BODY_FIELD = {"choices": "options", "numbers": "numbers", "texts": "texts", "files": "files"}


async def attached_files(
    repos: Repositories, customer_id: str, files: Mapping[str, str]
) -> dict[str, AttachedFile]:
    """The customer's uploads named per file option; 422 for an upload that is not the customer's (or
    does not exist: the two are answered alike)."""
    found: dict[str, AttachedFile] = {}
    errors: list[dict[str, object]] = []
    for option_id, upload_id in files.items():
        record = await repos.uploads.get(upload_id)
        if record is None or record.owner_id != customer_id:
            message = f"you have no upload {upload_id}: upload the file first (POST /uploads)"
            errors.append({"loc": ("body", "files", option_id), "msg": message, "type": "value_error"})
            continue
        found[option_id] = AttachedFile.model_validate(
            {**record.model_dump(include={"name", "media_type", "size", "sha256"}), "upload_id": record.id}
        )
    if errors:
        raise RequestValidationError(errors)
    return found


def invalid_customisation(exc: CustomisationError) -> RequestValidationError:
    """Every problem of ``exc`` at the body field of its option."""
    return RequestValidationError(
        [
            {
                "loc": ("body", _BODY_FIELD[problem.field], problem.option_id),
                "msg": problem.message,
                "type": "value_error",
            }
            for problem in exc.located
        ]
    )

"""The federated search at ``/apis/search``: ``GET /party/select?q=&fq=&start=&rows=&sort=`` over the
supplier data set (query language: :mod:`federation.service.query`), answered NIMBLE-style::

    {"totalElements", "totalPages", "pageSize", "currentPage", "result": [...], "facets": {...}}
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from federation.service.deps import Claims, fault_point, state_of
from federation.service.faults import Target
from federation.service.query import QueryError, matcher, parse, sort_key
from federation.service.state import SEARCH_MOUNT

MAX_ROWS = 1000

router = APIRouter(prefix=SEARCH_MOUNT, tags=["search"], dependencies=[Depends(fault_point(Target.SEARCH))])


@router.get("/party/select")
async def select(
    request: Request,
    _: Claims,
    q: Annotated[str, Query(max_length=2000)] = "*:*",
    fq: Annotated[list[str] | None, Query()] = None,
    start: Annotated[int, Query(ge=0)] = 0,
    rows: Annotated[int, Query(ge=0, le=MAX_ROWS)] = 10,
    sort: Annotated[str | None, Query(max_length=100)] = None,
) -> Any:
    entries = state_of(request).entries
    try:
        clauses = parse(q)
        for query in fq or ():
            clauses += parse(query)
        key, reverse = sort_key(sort)
        matches = matcher(clauses)
        found = [entry for entry in entries if matches(entry)]
    except QueryError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    found.sort(key=key, reverse=reverse)
    total = len(found)
    head = {
        "totalElements": total,
        "totalPages": math.ceil(total / rows) if rows else 0,
        "pageSize": rows,
        "currentPage": start // rows if rows else 0,
        "facets": {
            "country": dict(Counter(entry.record.location.country for entry in found).most_common()),
            "process": dict(
                Counter(c.process.value for entry in found for c in entry.record.capabilities).most_common()
            ),
        },
    }
    # The documents were serialised once when the index was built: splice them in.
    body = json.dumps(head, separators=(",", ":")).encode()[:-1] + b',"result":['
    body += b",".join(entry.json for entry in found[start : start + rows]) + b"]}"
    return Response(body, media_type="application/json")

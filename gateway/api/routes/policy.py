"""The manufacturer's agent policy: read it, replace it (validated; the agent applies it to its next order).

The policy is the ``agent_policies`` row of kind ``manufacturer`` owned by the calling manufacturer.
``GET`` answers its version as the ``ETag``; a ``PUT`` with ``If-Match`` replaces only that version
(412 otherwise), so two consoles do not overwrite each other unknowingly.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response, status

from gateway.api.deps import DbDep, ManufacturerUser
from gateway.schemas.policy import PolicyPublic, PolicyUpdate
from ontology.policy import ManufacturerPolicy
from store.enums import PolicyKind
from store.errors import StaleStateError
from store.records import PolicyRecord
from store.repositories import Repositories

router = APIRouter(prefix="/manufacturer", tags=["manufacturer"])


async def _policy_of(repos: Repositories, user_id: str) -> PolicyRecord:
    owned = [p for p in await repos.policies.list_all(PolicyKind.MANUFACTURER) if p.owner_user_id == user_id]
    if not owned:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no manufacturer agent of yours has a policy")
    return owned[0]


def _public(record: PolicyRecord, response: Response) -> PolicyPublic:
    response.headers["ETag"] = f'"{record.version}"'
    return PolicyPublic(
        agent_jid=record.agent_jid,
        version=record.version,
        updated_at=record.updated_at,
        policy=ManufacturerPolicy.model_validate(record.policy),
    )


def _version(if_match: str) -> int:
    try:
        return int(if_match.strip().removeprefix("W/").strip('"'))
    except ValueError as exc:
        raise HTTPException(
            status.HTTP_412_PRECONDITION_FAILED, f"If-Match {if_match!r} is not a policy version"
        ) from exc


@router.get(
    "/policy",
    response_model=PolicyPublic,
    summary="The policy of the calling manufacturer's agent",
    responses={404: {"description": "no agent policy of this manufacturer"}},
)
async def get_policy(user: ManufacturerUser, db: DbDep, response: Response) -> PolicyPublic:
    async with db.transaction() as repos:
        record = await _policy_of(repos, user.user_id)
    return _public(record, response)


@router.put(
    "/policy",
    response_model=PolicyPublic,
    summary="Replace the agent's policy; it applies from the next negotiation on",
    responses={
        404: {"description": "no agent policy of this manufacturer"},
        412: {"description": "If-Match names another version than the stored one"},
        422: {"description": "the policy is not valid (the field errors are listed)"},
    },
)
async def put_policy(
    body: PolicyUpdate,
    user: ManufacturerUser,
    db: DbDep,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=40)] = None,
) -> PolicyPublic:
    policy = ManufacturerPolicy.model_validate(body.model_dump())
    try:
        async with db.transaction() as repos:
            current = await _policy_of(repos, user.user_id)
            expected = current.version if if_match is None else _version(if_match)
            record = await repos.policies.put(
                current.agent_jid,
                PolicyKind.MANUFACTURER,
                policy,
                owner_user_id=user.user_id,
                expected_version=expected,
            )
    except StaleStateError as exc:
        raise HTTPException(
            status.HTTP_412_PRECONDITION_FAILED,
            f"the policy changed meanwhile (now version {exc.actual}); read it again and retry",
        ) from exc
    return _public(record, response)

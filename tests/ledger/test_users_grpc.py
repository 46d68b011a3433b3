"""User management over the gRPC Ledger API, as dazl 8.9 (and its generated stubs) use it against a
running ``python -m ledger``, on SQLite and PostgreSQL: users and rights persisted, rights of user tokens read
from the store on every request, only admins manage users, unknown and deactivated users refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Sequence

import dazl
import grpc
import pytest
from dazl._gen.com.daml.ledger.api import v1 as lapi
from dazl._gen.com.daml.ledger.api.v1 import admin as lapiadmin
from dazl.ledger import ActAs, Admin, ReadAs, User
from google.protobuf.field_mask_pb2 import FieldMask

from ledger import samples
from ledger.dazl_client import DazlLedgerClient, LedgerPermissionDenied
from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess
from tests.ledger.users_support import OPERATOR, allocate, custom_token, ledger_fixture, user_token

ADMIN = "participant_admin"


ledger = ledger_fixture("users-grpc")


@pytest.fixture
def uid() -> str:
    return uuid.uuid4().hex[:8]


def url(ledger: LedgerProcess) -> str:
    return f"http://{ledger.info.grpc}"


class Stub:
    """The UserManagementService stub of dazl's generated protos, with a bearer token."""

    def __init__(self, ledger: LedgerProcess) -> None:
        assert ledger.info.grpc is not None
        self.channel = grpc.aio.insecure_channel(ledger.info.grpc)
        self.users = lapiadmin.UserManagementServiceStub(self.channel)
        self.parties = lapiadmin.PartyManagementServiceStub(self.channel)
        self.packages = lapi.PackageServiceStub(self.channel)

    @staticmethod
    def auth(token: str) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {token}"),)

    async def close(self) -> None:
        await self.channel.close()


@pytest.fixture
async def stub(ledger: LedgerProcess) -> AsyncIterator[Stub]:
    s = Stub(ledger)
    yield s
    await s.close()


def rights(values: Sequence[object]) -> list[str]:
    """dazl's rights compare by identity: compare their texts."""
    return sorted(map(repr, values))


def act_as(party: str) -> lapiadmin.Right:
    return lapiadmin.Right(can_act_as=lapiadmin.Right.CanActAs(party=party))


async def test_feature_descriptor_and_seeded_users(ledger: LedgerProcess) -> None:
    async with dazl.connect(url=url(ledger), oauth_token=user_token(ADMIN), admin=True) as conn:
        version = await conn.get_version()
        assert version.features.user_management.supported
        assert version.features.user_management.max_users_page_size == 1000
        users = {u.id for u in await conn.list_users()}
        assert {ADMIN, OPERATOR} <= users
        assert Admin in await conn.list_user_rights(ADMIN)
        assert Admin in await conn.list_user_rights(OPERATOR)


async def test_dazl_creates_a_user_whose_token_then_acts(ledger: LedgerProcess, uid: str) -> None:
    alice, bob = f"Alice-{uid}", f"Bob-{uid}"
    await allocate(ledger, alice, bob)
    user = f"alice-{uid}"
    async with dazl.connect(url=url(ledger), oauth_token=user_token(ADMIN), admin=True) as admin:
        created = await admin.create_user(User(user, dazl.Party(alice)), [ActAs(dazl.Party(alice))])
        assert created.id == user and created.primary_party == alice
        assert (await admin.get_user(user)).primary_party == alice
        assert rights(await admin.list_user_rights(user)) == rights([ActAs(dazl.Party(alice))])
    # the user's own token: dazl reads the user and its rights, then acts as its party
    async with dazl.connect(url=url(ledger), oauth_token=user_token(user)) as own:
        assert (await own.get_user()).id == user
        assert rights(await own.list_user_rights()) == rights([ActAs(dazl.Party(alice))])
    order = samples.customer_order(f"o-{uid}", alice, bob)
    async with DazlLedgerClient(url(ledger), act_as=[alice], token=user_token(user)) as client:
        created_order = await client.create(f"{MODULE}:CustomerOrder", order)
        assert [c.contract_id for c in await client.query(f"{MODULE}:CustomerOrder")] == [
            created_order.contract_id
        ]
    # acting as a party the user has no right for is refused
    async with DazlLedgerClient(url(ledger), act_as=[bob], token=user_token(user)) as client:
        with pytest.raises(LedgerPermissionDenied):
            await client.create(f"{MODULE}:CustomerOrder", samples.customer_order(f"p-{uid}", bob, alice))


async def test_grant_revoke_delete_and_paging_with_stubs(ledger: LedgerProcess, stub: Stub, uid: str) -> None:
    carol, dave = f"Carol-{uid}", f"Dave-{uid}"
    await allocate(ledger, carol, dave)
    admin = stub.auth(user_token(ADMIN))
    user = f"carol-{uid}"
    created = await stub.users.CreateUser(
        lapiadmin.CreateUserRequest(user=lapiadmin.User(id=user, primary_party=carol)), metadata=admin
    )
    assert created.user.id == user
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await stub.users.CreateUser(lapiadmin.CreateUserRequest(user=lapiadmin.User(id=user)), metadata=admin)
    assert again.value.code() == grpc.StatusCode.ALREADY_EXISTS

    granted = await stub.users.GrantUserRights(
        lapiadminpb_grant(user, [act_as(carol), act_as(dave)]), metadata=admin
    )
    assert {r.can_act_as.party for r in granted.newly_granted_rights} == {carol, dave}
    again_granted = await stub.users.GrantUserRights(lapiadminpb_grant(user, [act_as(carol)]), metadata=admin)
    assert list(again_granted.newly_granted_rights) == []  # only what is new
    revoked = await stub.users.RevokeUserRights(
        lapiadmin.RevokeUserRightsRequest(user_id=user, rights=[act_as(dave), act_as(f"Nobody-{uid}")]),
        metadata=admin,
    )
    assert [r.can_act_as.party for r in revoked.newly_revoked_rights] == [dave]
    rights = await stub.users.ListUserRights(lapiadmin.ListUserRightsRequest(user_id=user), metadata=admin)
    assert [r.can_act_as.party for r in rights.rights] == [carol]

    # a right for a party that does not exist is refused, as Canton does
    with pytest.raises(grpc.aio.AioRpcError) as unknown_party:
        await stub.users.GrantUserRights(lapiadminpb_grant(user, [act_as(f"Ghost-{uid}")]), metadata=admin)
    assert unknown_party.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    # paging: every user exactly once, in pages of 1
    seen: list[str] = []
    token = ""
    while True:
        page = await stub.users.ListUsers(
            lapiadmin.ListUsersRequest(page_size=1, page_token=token), metadata=admin
        )
        seen += [u.id for u in page.users]
        assert len(page.users) <= 1
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) and {ADMIN, OPERATOR, user} <= set(seen)

    await stub.users.DeleteUser(lapiadmin.DeleteUserRequest(user_id=user), metadata=admin)
    for call in (
        stub.users.GetUser(lapiadmin.GetUserRequest(user_id=user), metadata=admin),
        stub.users.DeleteUser(lapiadmin.DeleteUserRequest(user_id=user), metadata=admin),
        stub.users.GrantUserRights(lapiadminpb_grant(user, [act_as(carol)]), metadata=admin),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as gone:
            await call
        assert gone.value.code() == grpc.StatusCode.NOT_FOUND


def lapiadminpb_grant(user: str, rights: list[lapiadmin.Right]) -> lapiadmin.GrantUserRightsRequest:
    return lapiadmin.GrantUserRightsRequest(user_id=user, rights=rights)


async def test_rights_changes_apply_to_the_next_request(ledger: LedgerProcess, stub: Stub, uid: str) -> None:
    erin, frank = f"Erin-{uid}", f"Frank-{uid}"
    await allocate(ledger, erin, frank)
    admin = stub.auth(user_token(ADMIN))
    user = f"erin-{uid}"
    await stub.users.CreateUser(lapiadmin.CreateUserRequest(user=lapiadmin.User(id=user)), metadata=admin)
    token = user_token(user)
    order = samples.customer_order(f"q-{uid}", erin, frank)
    async with DazlLedgerClient(url(ledger), act_as=[erin], token=token) as client:
        with pytest.raises(LedgerPermissionDenied):
            await client.create(f"{MODULE}:CustomerOrder", order)
        await stub.users.GrantUserRights(lapiadminpb_grant(user, [act_as(erin)]), metadata=admin)
        await client.create(f"{MODULE}:CustomerOrder", order)  # same token, same connection
        await stub.users.RevokeUserRights(
            lapiadmin.RevokeUserRightsRequest(user_id=user, rights=[act_as(erin)]), metadata=admin
        )
        with pytest.raises(LedgerPermissionDenied):
            await client.create(f"{MODULE}:CustomerOrder", samples.customer_order(f"r-{uid}", erin, frank))

    # a deactivated user is refused like an unknown one; reactivated, it works again
    await stub.users.GrantUserRights(lapiadminpb_grant(user, [act_as(erin)]), metadata=admin)
    deactivate = lapiadmin.UpdateUserRequest(
        user=lapiadmin.User(id=user, is_deactivated=True), update_mask=FieldMask(paths=["is_deactivated"])
    )
    updated = await stub.users.UpdateUser(deactivate, metadata=admin)
    assert updated.user.is_deactivated
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.users.GetUser(lapiadmin.GetUserRequest(), metadata=stub.auth(token))
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    reactivate = lapiadmin.UpdateUserRequest(
        user=lapiadmin.User(id=user, is_deactivated=False, primary_party=erin),
        update_mask=FieldMask(paths=["is_deactivated", "primary_party"]),
    )
    assert (await stub.users.UpdateUser(reactivate, metadata=admin)).user.primary_party == erin
    assert (await stub.users.GetUser(lapiadmin.GetUserRequest(), metadata=stub.auth(token))).user.id == user


async def test_only_admins_manage_users_and_a_user_reads_only_itself(
    ledger: LedgerProcess, stub: Stub, uid: str
) -> None:
    gina = f"Gina-{uid}"
    await allocate(ledger, gina)
    admin = stub.auth(user_token(ADMIN))
    user, other = f"gina-{uid}", f"hank-{uid}"
    for name in (user, other):
        await stub.users.CreateUser(
            lapiadmin.CreateUserRequest(user=lapiadmin.User(id=name), rights=[act_as(gina)]), metadata=admin
        )
    own = stub.auth(user_token(user))
    assert (await stub.users.GetUser(lapiadmin.GetUserRequest(user_id=user), metadata=own)).user.id == user
    rights = await stub.users.ListUserRights(lapiadmin.ListUserRightsRequest(), metadata=own)
    assert [r.can_act_as.party for r in rights.rights] == [gina]
    denied: list[Awaitable[object]] = [
        stub.users.GetUser(lapiadmin.GetUserRequest(user_id=other), metadata=own),
        stub.users.ListUserRights(lapiadmin.ListUserRightsRequest(user_id=other), metadata=own),
        stub.users.ListUsers(lapiadmin.ListUsersRequest(), metadata=own),
        stub.users.CreateUser(lapiadmin.CreateUserRequest(user=lapiadmin.User(id=f"x-{uid}")), metadata=own),
        stub.users.GrantUserRights(
            lapiadminpb_grant(user, [lapiadmin.Right(participant_admin=lapiadmin.Right.ParticipantAdmin())]),
            metadata=own,
        ),
        stub.users.DeleteUser(lapiadmin.DeleteUserRequest(user_id=other), metadata=own),
        # a 1.x token without admin does not manage users either
        stub.users.ListUsers(lapiadmin.ListUsersRequest(), metadata=stub.auth(custom_token(gina))),
    ]
    for call in denied:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as bad_id:
        await stub.users.CreateUser(
            lapiadmin.CreateUserRequest(user=lapiadmin.User(id="no spaces")), metadata=admin
        )
    assert bad_id.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    # the operator (configured with admin) manages users too, with a 1.x admin token as well
    listing = await stub.users.ListUsers(
        lapiadmin.ListUsersRequest(), metadata=stub.auth(user_token(OPERATOR))
    )
    assert user in {u.id for u in listing.users}
    listing = await stub.users.ListUsers(
        lapiadmin.ListUsersRequest(), metadata=stub.auth(custom_token(admin=True))
    )
    assert user in {u.id for u in listing.users}


@pytest.mark.parametrize("audience", [False, True])
async def test_a_token_of_an_unknown_user_is_refused(
    ledger: LedgerProcess, stub: Stub, uid: str, audience: bool
) -> None:
    stranger = stub.auth(user_token(f"mallory-{uid}", audience=audience))
    calls: list[Awaitable[object]] = [
        stub.parties.ListKnownParties(lapiadmin.ListKnownPartiesRequest(), metadata=stranger),
        stub.parties.GetParties(lapiadmin.GetPartiesRequest(parties=[OPERATOR]), metadata=stranger),
        stub.packages.ListPackages(lapi.ListPackagesRequest(), metadata=stranger),
        stub.packages.GetPackage(
            lapi.GetPackageRequest(package_id=ledger.info.package_id), metadata=stranger
        ),
        stub.users.GetUser(lapiadmin.GetUserRequest(), metadata=stranger),
    ]
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # and through dazl
    async with dazl.connect(url=url(ledger), oauth_token=user_token(f"mallory-{uid}")) as conn:
        with pytest.raises(grpc.aio.AioRpcError) as dazl_refused:
            await conn.list_known_parties()
        assert dazl_refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        with pytest.raises(grpc.aio.AioRpcError) as version_refused:
            await conn.get_version()
        assert version_refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    # the same user, once created, is served
    await stub.users.CreateUser(
        lapiadmin.CreateUserRequest(user=lapiadmin.User(id=f"mallory-{uid}")),
        metadata=stub.auth(user_token(ADMIN)),
    )
    assert (await stub.packages.ListPackages(lapi.ListPackagesRequest(), metadata=stranger)).package_ids


async def test_users_survive_a_restart(ledger: LedgerProcess, stub: Stub, uid: str) -> None:
    ivy = f"Ivy-{uid}"
    await allocate(ledger, ivy)
    admin = stub.auth(user_token(ADMIN))
    user = f"ivy-{uid}"
    await stub.users.CreateUser(
        lapiadmin.CreateUserRequest(
            user=lapiadmin.User(id=user, primary_party=ivy),
            rights=[act_as(ivy), lapiadmin.Right(can_read_as=lapiadmin.Right.CanReadAs(party=ivy))],
        ),
        metadata=admin,
    )
    await stub.close()
    await ledger.astop()
    await ledger.astart()
    after = Stub(ledger)
    try:
        got = await after.users.GetUser(lapiadmin.GetUserRequest(user_id=user), metadata=admin)
        assert got.user.primary_party == ivy
        async with dazl.connect(url=url(ledger), oauth_token=user_token(user)) as own:
            assert sorted(map(repr, await own.list_user_rights())) == sorted(
                map(repr, [ActAs(dazl.Party(ivy)), ReadAs(dazl.Party(ivy))])
            )
    finally:
        await after.close()


async def test_an_identity_provider_admin_manages_users_but_grants_no_participant_admin(
    ledger: LedgerProcess, stub: Stub, uid: str
) -> None:
    jack = f"Jack-{uid}"
    await allocate(ledger, jack)
    idp_admin = lapiadmin.Right(identity_provider_admin=lapiadmin.Right.IdentityProviderAdmin())
    participant_admin = lapiadmin.Right(participant_admin=lapiadmin.Right.ParticipantAdmin())
    user = f"idp-{uid}"
    await stub.users.CreateUser(
        lapiadmin.CreateUserRequest(user=lapiadmin.User(id=user), rights=[idp_admin]),
        metadata=stub.auth(user_token(ADMIN)),
    )
    own = stub.auth(user_token(user))
    rights = await stub.users.ListUserRights(lapiadmin.ListUserRightsRequest(), metadata=own)
    assert [r.WhichOneof("kind") for r in rights.rights] == ["identity_provider_admin"]
    managed = f"jack-{uid}"
    await stub.users.CreateUser(
        lapiadmin.CreateUserRequest(user=lapiadmin.User(id=managed), rights=[act_as(jack)]), metadata=own
    )
    assert managed in {
        u.id for u in (await stub.users.ListUsers(lapiadmin.ListUsersRequest(), metadata=own)).users
    }
    for call in (
        stub.users.GrantUserRights(lapiadminpb_grant(managed, [participant_admin]), metadata=own),
        stub.users.DeleteUser(lapiadmin.DeleteUserRequest(user_id=ADMIN), metadata=own),
        # user management is all it may do: parties are a participant admin's
        stub.parties.ListKnownParties(lapiadmin.ListKnownPartiesRequest(), metadata=own),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED

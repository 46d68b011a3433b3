"""Contract keys (Daml 2.x): a keyed template's key is a record of some of its fields; at most one active
contract of a template has a given key; its maintainers (signatories) keep the key index.

The engine keeps :class:`KeyIndex` (global key -> contract id of the active contract) in memory and checks
uniqueness against it under the submission lock; it is persisted as the ``key_hash`` column of
``ledger_contracts`` (written with the contract row, in the commit's database transaction; no extra
statement) and loaded from the active rows at start. A global key is the template's ``Module:Entity`` and
the canonical JSON of the key value; ``key_hash`` is its sha256 (:func:`global_key`).

Lookups by key follow Daml's visibility rule: a party finds a keyed contract only if it is a stakeholder;
otherwise the answer is the same as for an unused key (:class:`ContractKeyNotFound`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.engine.errors import ContractKeyNotFound, DuplicateContractKey, ValidationError
from ledger.engine.model import Contract, TemplateId
from ledger.engine.templates import Model, RecordDef, TemplateDef
from ledger.engine.types import RecordRef
from ledger.engine.values import normalize_record, parties_of

JsonDict = dict[str, Any]


def canonical_json(value: Any) -> str:
    """The same canonical JSON as the log's (sorted keys, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def key_record(tdef: TemplateDef, model: Model) -> RecordDef:
    """The record type of ``tdef``'s key; :class:`ValidationError` if the template has no key."""
    if tdef.key is None:
        raise ValidationError(f"template {tdef.qualified_name} has no contract key")
    return model.record(RecordRef(tdef.module, tdef.key.record))


def key_of(tdef: TemplateDef, payload: Mapping[str, Any]) -> JsonDict | None:
    """The key of a contract of ``tdef`` with the (normalised) ``payload``; None if the template has none."""
    if tdef.key is None:
        return None
    return {name: payload[name] for name in tdef.key.fields}


def maintainers_of(tdef: TemplateDef, key: Mapping[str, Any]) -> tuple[str, ...]:
    if tdef.key is None:
        return ()
    return tuple(sorted({p for name in tdef.key.maintainers for p in parties_of(key[name])}))


def normalize_key(tdef: TemplateDef, key: Any, model: Model) -> JsonDict:
    """A key value as a client sends it (JSON API / gRPC record), checked and normalised like a payload."""
    record = key_record(tdef, model)
    return normalize_record(key, record.fields, model, f"{tdef.entity} key")


def global_key(qualified_name: str, key: Mapping[str, Any]) -> str:
    """The key's identity across the ledger: sha256 of ``Module:Entity`` and the key's canonical JSON."""
    return hashlib.sha256(f"{qualified_name}\n{canonical_json(dict(key))}".encode()).hexdigest()


def describe(qualified_name: str, key: Mapping[str, Any]) -> str:
    return f"{qualified_name} {canonical_json(dict(key))}"


@dataclass(frozen=True, slots=True)
class KeyRow:
    """An active keyed contract's global key (``key_hash``, stored in its row of ``ledger_contracts``)."""

    key_hash: str
    contract_id: str


class KeyIndex:
    """Global key -> contract id of the active contract holding it."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._by_key: dict[str, str] = {}
        self._by_contract: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._by_key)

    def row(self, contract: Contract) -> KeyRow | None:
        """The key row of ``contract`` (None if its template has no key)."""
        tdef = self._template(contract.template_id)
        key = None if tdef is None else key_of(tdef, contract.payload)
        if key is None:
            return None
        name = contract.template_id.qualified_name
        return KeyRow(global_key(name, key), contract.contract_id)

    def _template(self, template_id: TemplateId) -> TemplateDef | None:
        try:
            return self.model.template(template_id.module_name, template_id.entity_name)
        except KeyError:
            return None

    def load(self, rows: Iterable[tuple[str, str]]) -> None:
        """Fill from stored ``(key_hash, contract_id)`` rows."""
        for key_hash, contract_id in rows:
            self._by_key[key_hash] = contract_id
            self._by_contract[contract_id] = key_hash

    def backfill(self, active: Iterable[Contract]) -> list[KeyRow]:
        """Rows for active keyed contracts that have none yet (a ledger written before keys existed); the
        first contract of a key (by creation order) gets it, a later duplicate stays active but unkeyed."""
        added: list[KeyRow] = []
        for contract in sorted(active, key=lambda c: c.created_offset):
            if contract.contract_id in self._by_contract:
                continue
            row = self.row(contract)
            if row is None or row.key_hash in self._by_key:
                continue
            self._by_key[row.key_hash] = contract.contract_id
            self._by_contract[contract.contract_id] = row.key_hash
            added.append(row)
        return added

    def get(self, key_hash: str) -> str | None:
        return self._by_key.get(key_hash)

    def changes(self, created: Iterable[Contract], archived: Iterable[str]) -> tuple[list[KeyRow], list[str]]:
        """What a committed transaction does to the index: rows to add, key hashes to remove."""
        removed = [h for cid in archived if (h := self._by_contract.get(cid)) is not None]
        added = [row for c in created if (row := self.row(c)) is not None]
        return added, removed

    def apply(self, added: Iterable[KeyRow], removed: Iterable[str]) -> None:
        for key_hash in removed:
            contract_id = self._by_key.pop(key_hash, None)
            if contract_id is not None:
                self._by_contract.pop(contract_id, None)
        for row in added:
            self._by_key[row.key_hash] = row.contract_id
            self._by_contract[row.contract_id] = row.key_hash


@dataclass(frozen=True, slots=True)
class KeyLookup:
    """The contract keys as a transaction in progress sees them: contracts it ``created`` (and did not
    archive) first, then the ``index`` of the ``active`` contracts minus what it ``archived``."""

    index: KeyIndex
    active: Mapping[str, Contract]
    created: Mapping[str, Contract] = field(default_factory=dict)
    archived: set[str] = field(default_factory=set)

    def active_by_key(self, qualified_name: str, key: Mapping[str, Any]) -> Contract | None:
        """The contract holding ``key`` of ``qualified_name``."""
        wanted = global_key(qualified_name, key)
        for contract in self.created.values():
            if contract.contract_id in self.archived or contract.template_id.qualified_name != qualified_name:
                continue
            row = self.index.row(contract)
            if row is not None and row.key_hash == wanted:
                return contract
        contract_id = self.index.get(wanted)
        if contract_id is None or contract_id in self.archived:
            return None
        return self.active.get(contract_id)

    def check_unique(self, tdef: TemplateDef, payload: Mapping[str, Any], signatories: Iterable[str]) -> None:
        """Daml's checks when creating a keyed contract: maintainers non-empty and all signatories, and no
        active contract of the template with the same key (:class:`DuplicateContractKey`)."""
        key = key_of(tdef, payload)
        if key is None:
            return
        maintainers = maintainers_of(tdef, key)
        if not maintainers:
            raise ValidationError(f"{tdef.entity}: the contract key has no maintainer")
        if not set(maintainers) <= set(signatories):
            raise ValidationError(
                f"{tdef.entity}: key maintainers {', '.join(maintainers)} are not all signatories"
            )
        if self.active_by_key(tdef.qualified_name, key) is not None:
            raise DuplicateContractKey(
                "Interpretation error: Error: Contract could not be created because a contract with key "
                f"{describe(tdef.qualified_name, key)} is already active",
                {"template_id": tdef.qualified_name, "key": canonical_json(key)},
            )

    def visible_by_key(self, tdef: TemplateDef, key: Mapping[str, Any], readers: frozenset[str]) -> Contract:
        """The active contract with ``key`` if some of ``readers`` are its stakeholders, else
        :class:`ContractKeyNotFound` (the same for an unused key and a hidden contract)."""
        contract = self.active_by_key(tdef.qualified_name, key)
        if contract is None or not contract.visible_to(readers):
            raise ContractKeyNotFound(
                f"dependency error: couldn't find key {describe(tdef.qualified_name, key)}",
                {"template_id": tdef.qualified_name},
            )
        return contract

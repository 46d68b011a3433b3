"""Why a party's step was not taken, in words: raised before anything is written, as the Ledger API client
errors the callers already handle (``LedgerRejected``: do not retry)."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.jsonapi_client import LedgerRejected


class StepRefused(LedgerRejected):
    """The step cannot be taken by this party now (it is another party's, or the contract it needs is not
    on the ledger, or the step was taken already with other arguments)."""

    def __init__(self, message: str) -> None:
        super().__init__(400, [message])
        self.args = (message,)


class AgreementConflict(LedgerRejected):
    """Something other than the request's agreement is on the ledger for its order: it is never reused."""

    def __init__(self, order_id: str, what: str, fields: Sequence[str] = ()) -> None:
        differs = f" ({', '.join(fields)} differ)" if fields else ""
        message = f"a different agreement for order {order_id} is on the ledger: {what}{differs}"
        super().__init__(409, [message])
        self.args = (message,)
        self.order_id = order_id
        self.fields = tuple(fields)


def is_duplicate(exc: LedgerRejected) -> bool:
    """Daml refused a command as a duplicate: its command id within the deduplication period (gRPC
    ALREADY_EXISTS / JSON API 409), or a contract key already taken (DUPLICATE_CONTRACT_KEY)."""
    return exc.status == 409 or any("DUPLICATE_CONTRACT_KEY" in e for e in exc.errors)

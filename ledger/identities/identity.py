"""What onboarding produces and the store keeps: a platform party's ledger party and ledger user."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ontology.contract import PartyRole


class PartyRef(BaseModel):
    """A party of the platform: its role and its platform id (a user id, a supplier id)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: PartyRole
    platform_id: str = Field(min_length=1, max_length=512)
    display_name: str = Field(default="", max_length=200)

    @property
    def label(self) -> str:
        return f"{self.role} {self.platform_id}"


class LedgerIdentity(BaseModel):
    """The ledger party (as the ledger allocated it) and the ledger user a platform party signs with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: PartyRole
    platform_id: str = Field(min_length=1, max_length=512)
    party: str = Field(min_length=1, max_length=512)
    user_id: str = Field(min_length=1, max_length=128)
    display_name: str = Field(default="", max_length=200)

    def same_as(self, other: LedgerIdentity) -> bool:
        """Both name one platform party and sign with one ledger party and user (display names aside)."""
        return (self.role, self.platform_id, self.party, self.user_id) == (
            other.role,
            other.platform_id,
            other.party,
            other.user_id,
        )

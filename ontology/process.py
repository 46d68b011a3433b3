"""Manufacturing processes and quality levels: the vocabulary parts, suppliers and offers share."""

from __future__ import annotations

from enum import StrEnum


class ProcessKind(StrEnum):
    """A manufacturing process (operation) a part needs and a supplier may offer."""

    CNC_MILLING = "cnc-milling"
    CNC_TURNING = "cnc-turning"
    LASER_CUTTING = "laser-cutting"
    WATERJET_CUTTING = "waterjet-cutting"
    SHEET_METAL_BENDING = "sheet-metal-bending"
    WELDING = "welding"
    CASTING = "casting"
    FORGING = "forging"
    INJECTION_MOULDING = "injection-moulding"
    ADDITIVE_MANUFACTURING = "additive-manufacturing"
    PCB_ASSEMBLY = "pcb-assembly"
    SURFACE_FINISHING = "surface-finishing"
    PAINTING = "painting"
    TEXTILE_CUTTING_SEWING = "textile-cutting-sewing"
    TEXTILE_PRINTING = "textile-printing"
    WOODWORKING = "woodworking"
    ASSEMBLY = "assembly"
    QUALITY_INSPECTION = "quality-inspection"
    PACKAGING = "packaging"


class QualityLevel(StrEnum):
    """Quality grade of a part, ordered from ``economy`` to ``premium``."""

    ECONOMY = "economy"
    STANDARD = "standard"
    PREMIUM = "premium"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def meets(self, required: QualityLevel) -> bool:
        """Whether this grade is at least ``required``."""
        return self.rank >= required.rank


_RANK = {level: index for index, level in enumerate(QualityLevel)}

"""The demo manufacturer's catalogue: lot-size-one products whose options need real operations.

The frame made to measure asks the rider's body height and inseam, the bracket its CAD file (and
an optional engraved marking), the tote bag its artwork; those values reach the suppliers of the
parts that need them.

Every part names the process, material, quality and machine minutes it needs. Assembly, quality
inspection and packaging are the manufacturer's own work; every other operation is sourced, and the
shipped supplier data set (``federation/dataset/suppliers.json``) has suppliers for each of them
(a test checks it).
"""

from __future__ import annotations

from decimal import Decimal

from ontology.process import ProcessKind as P
from ontology.process import QualityLevel as Q
from ontology.product import (
    Choice,
    FileSpec,
    MediaType,
    NumberSpec,
    OptionCondition,
    OptionKind,
    Product,
    ProductOption,
    RequiredPart,
    TextSpec,
)

#: The largest drawing or artwork file the demo products take (the gateway's own limit may be lower).
DEMO_FILE_MAX_BYTES = 20_000_000


def part(
    part_id: str,
    process: P,
    minutes: float,
    material: str | None = None,
    *,
    quantity: int = 1,
    quality: Q = Q.STANDARD,
    description: str = "",
) -> RequiredPart:
    return RequiredPart(
        part_id=part_id,
        process=process,
        material=material,
        quantity=quantity,
        quality=quality,
        machine_minutes=minutes,
        description=description,
    )


def choice(choice_id: str, label: str, delta: str = "0", *parts: RequiredPart) -> Choice:
    return Choice(id=choice_id, label=label, cost_delta=Decimal(delta), parts=parts)


def measurement(
    option_id: str,
    label: str,
    low: int,
    high: int,
    step: str,
    *,
    when: OptionCondition,
    used_by: tuple[str, ...],
) -> ProductOption:
    """A body measurement in cm from ``low`` to ``high``, asked only ``when``."""
    return ProductOption(
        id=option_id,
        label=label,
        kind=OptionKind.NUMBER,
        number=NumberSpec(unit="cm", minimum=Decimal(low), maximum=Decimal(high), step=Decimal(step)),
        only_when=when,
        used_by=used_by,
    )


def upload(option_id: str, label: str, *types: MediaType, used_by: tuple[str, ...]) -> ProductOption:
    """A required file of one of ``types``."""
    return ProductOption(
        id=option_id,
        label=label,
        kind=OptionKind.FILE,
        file=FileSpec(media_types=types, max_bytes=DEMO_FILE_MAX_BYTES),
        used_by=used_by,
    )


def bicycle_frame(manufacturer_id: str) -> Product:
    def tubes(material: str, quality: Q = Q.STANDARD) -> tuple[RequiredPart, RequiredPart]:
        return (
            part(
                "frame-tubes", P.LASER_CUTTING, 25, material, quality=quality, description="mitred tube set"
            ),
            part("frame-welding", P.WELDING, 150, material, quality=quality, description="TIG-welded frame"),
        )

    made_to_measure = OptionCondition(option="geometry", choices=("made-to-measure",))
    return Product(
        id="demo-bicycle-frame",
        manufacturer_id=manufacturer_id,
        name="Made-to-measure bicycle frame",
        description="A frame welded to the rider's measurements, aligned and checked in our workshop.",
        base_cost=Decimal("420.00"),
        base_parts=(
            part("frame-alignment", P.ASSEMBLY, 60, description="alignment and headset fitting"),
            part("frame-inspection", P.QUALITY_INSPECTION, 20, description="geometry check"),
        ),
        options=(
            ProductOption(
                id="material",
                label="Frame material",
                default="steel",
                choices=(
                    choice("steel", "Chromoly steel", "0", *tubes("steel")),
                    choice("aluminium", "Aluminium", "90.00", *tubes("aluminium")),
                    choice("stainless", "Stainless steel", "380.00", *tubes("stainless steel", Q.PREMIUM)),
                ),
            ),
            ProductOption(
                id="geometry",
                label="Geometry",
                default="size-m",
                choices=(
                    choice("size-s", "Size S (stock geometry)"),
                    choice("size-m", "Size M (stock geometry)"),
                    choice("size-l", "Size L (stock geometry)"),
                    choice(
                        "made-to-measure",
                        "Made to measure (from your body measurements)",
                        "150.00",
                        part(
                            "dropouts",
                            P.CNC_MILLING,
                            45,
                            "aluminium",
                            quantity=2,
                            description="custom dropouts",
                        ),
                    ),
                ),
            ),
            measurement(
                "body-height",
                "Body height",
                140,
                210,
                "1",
                when=made_to_measure,
                used_by=("frame-tubes", "frame-welding"),
            ),
            measurement(
                "inseam",
                "Inseam (floor to crotch, barefoot)",
                60,
                100,
                "0.5",
                when=made_to_measure,
                used_by=("frame-tubes", "frame-welding"),
            ),
            ProductOption(
                id="finish",
                label="Finish",
                default="powder-coat",
                choices=(
                    choice("powder-coat", "Powder coat, one colour", "60.00", part("paint", P.PAINTING, 40)),
                    choice(
                        "brushed",
                        "Brushed and clear-coated",
                        "45.00",
                        part("paint", P.SURFACE_FINISHING, 50, quality=Q.PREMIUM),
                    ),
                ),
            ),
        ),
    )


def custom_shoes(manufacturer_id: str) -> Product:
    return Product(
        id="demo-custom-shoes",
        manufacturer_id=manufacturer_id,
        name="Custom shoes",
        description="Sneakers made for one pair of feet: your upper, your sole, your print.",
        base_cost=Decimal("75.00"),
        base_parts=(
            part("sole", P.INJECTION_MOULDING, 6, "TPU", description="moulded outsole"),
            part("lasting", P.ASSEMBLY, 45, description="lasting and sole bonding"),
            part("shoe-box", P.PACKAGING, 5),
        ),
        options=(
            ProductOption(
                id="upper",
                label="Upper",
                default="nylon",
                choices=(
                    choice("nylon", "Nylon mesh", "0", part("upper", P.TEXTILE_CUTTING_SEWING, 35, "nylon")),
                    choice(
                        "wool", "Felted wool", "25.00", part("upper", P.TEXTILE_CUTTING_SEWING, 40, "wool")
                    ),
                    choice(
                        "leather",
                        "Full-grain leather",
                        "70.00",
                        part("upper", P.TEXTILE_CUTTING_SEWING, 55, "leather", quality=Q.PREMIUM),
                    ),
                ),
            ),
            ProductOption(
                id="fit",
                label="Fit",
                default="standard",
                choices=(
                    choice("standard", "Standard last"),
                    choice(
                        "scanned",
                        "3D-scanned insole",
                        "40.00",
                        part("insole", P.ADDITIVE_MANUFACTURING, 50, "TPU", description="printed insole"),
                    ),
                ),
            ),
            ProductOption(
                id="lining",
                label="Lining print",
                required=False,
                choices=(
                    choice(
                        "custom-print",
                        "Your own print on the lining",
                        "15.00",
                        part("lining-print", P.TEXTILE_PRINTING, 10, "polyester"),
                    ),
                ),
            ),
        ),
    )


def cabinet(manufacturer_id: str) -> Product:
    def front(wood: str) -> RequiredPart:
        return part("fronts", P.WOODWORKING, 70, wood, quantity=2, description="two solid-wood doors")

    return Product(
        id="demo-cabinet",
        manufacturer_id=manufacturer_id,
        name="Configurable cabinet",
        description="A sideboard cut to your width, with solid-wood fronts and the handles you like.",
        base_cost=Decimal("310.00"),
        base_parts=(
            part("carcass", P.WOODWORKING, 90, "birch plywood", description="CNC-cut carcass"),
            part("cabinet-assembly", P.ASSEMBLY, 75),
            part("crate", P.PACKAGING, 15),
        ),
        options=(
            ProductOption(
                id="width",
                label="Width",
                default="120",
                choices=(
                    choice("80", "80 cm", "-40.00"),
                    choice("120", "120 cm"),
                    choice("160", "160 cm", "90.00"),
                ),
            ),
            ProductOption(
                id="front",
                label="Fronts",
                default="oak",
                choices=(
                    choice("oak", "Oak", "0", front("oak")),
                    choice("walnut", "Walnut", "140.00", front("walnut")),
                    choice("beech", "Beech", "-20.00", front("beech")),
                ),
            ),
            ProductOption(
                id="handles",
                label="Handles",
                default="push-to-open",
                choices=(
                    choice("push-to-open", "None (push to open)"),
                    choice(
                        "steel-bar",
                        "Brushed steel bars",
                        "35.00",
                        part("handles", P.SHEET_METAL_BENDING, 8, "stainless steel", quantity=2),
                    ),
                    choice(
                        "brass-knob",
                        "Turned brass knobs",
                        "55.00",
                        part("handles", P.CNC_TURNING, 12, "brass", quantity=2),
                    ),
                ),
            ),
            ProductOption(
                id="finish",
                label="Finish",
                required=False,
                choices=(
                    choice("lacquer", "Matt lacquer", "60.00", part("lacquer", P.PAINTING, 45, "wood")),
                ),
            ),
        ),
    )


def machined_part(manufacturer_id: str) -> Product:
    def body(material: str, minutes: float, quality: Q = Q.STANDARD) -> RequiredPart:
        return part(
            "body", P.CNC_MILLING, minutes, material, quality=quality, description="5-axis milled body"
        )

    return Product(
        id="demo-machined-bracket",
        manufacturer_id=manufacturer_id,
        name="Machined bracket",
        description="A mounting bracket milled from your CAD file, in the material and finish you choose.",
        base_cost=Decimal("35.00"),
        base_parts=(part("bracket-inspection", P.QUALITY_INSPECTION, 10),),
        options=(
            ProductOption(
                id="material",
                label="Material",
                default="aluminium",
                choices=(
                    choice("aluminium", "Aluminium 6082", "0", body("aluminium", 35)),
                    choice("stainless", "Stainless steel 316L", "45.00", body("stainless steel", 60)),
                    choice("titanium", "Titanium grade 5", "160.00", body("titanium", 90, Q.PREMIUM)),
                    choice("peek", "PEEK", "120.00", body("PEEK", 40)),
                ),
            ),
            ProductOption(
                id="surface",
                label="Surface",
                default="as-machined",
                choices=(
                    choice("as-machined", "As machined"),
                    choice("bead-blasted", "Bead blasted", "12.00", part("surface", P.SURFACE_FINISHING, 15)),
                ),
            ),
            ProductOption(
                id="threads",
                label="Threaded inserts",
                required=False,
                choices=(
                    choice(
                        "m6-inserts",
                        "Four M6 brass inserts",
                        "18.00",
                        part("inserts", P.CNC_TURNING, 4, "brass", quantity=4),
                    ),
                ),
            ),
            upload(
                "cad-file",
                "Your CAD file",
                MediaType.STEP,
                MediaType.STL,
                MediaType.DXF,
                MediaType.PDF,
                used_by=("body",),
            ),
            ProductOption(
                id="marking",
                label="Engraved marking (a part number or your name)",
                kind=OptionKind.TEXT,
                required=False,
                text=TextSpec(
                    max_length=24,
                    pattern=r"[A-Za-z0-9 .\-/]+",
                    pattern_hint="letters, digits, spaces and the signs . - /",
                ),
                used_by=("body",),
            ),
        ),
    )


def tote_bag(manufacturer_id: str) -> Product:
    return Product(
        id="demo-tote-bag",
        manufacturer_id=manufacturer_id,
        name="Printed tote bag",
        description="A sewn tote bag carrying your own artwork.",
        base_cost=Decimal("9.00"),
        base_parts=(part("bag-packing", P.PACKAGING, 2),),
        options=(
            ProductOption(
                id="fabric",
                label="Fabric",
                default="cotton",
                choices=(
                    choice(
                        "cotton", "Organic cotton", "0", part("bag", P.TEXTILE_CUTTING_SEWING, 12, "cotton")
                    ),
                    choice("linen", "Linen", "6.00", part("bag", P.TEXTILE_CUTTING_SEWING, 14, "linen")),
                ),
            ),
            ProductOption(
                id="print",
                label="Print",
                default="one-side",
                choices=(
                    choice(
                        "one-side",
                        "Your artwork, one side",
                        "0",
                        part("artwork", P.TEXTILE_PRINTING, 5, "cotton"),
                    ),
                    choice(
                        "both-sides",
                        "Your artwork, both sides",
                        "4.00",
                        part("artwork", P.TEXTILE_PRINTING, 9, "cotton"),
                    ),
                ),
            ),
            upload(
                "artwork-file",
                "Your artwork",
                MediaType.PNG,
                MediaType.JPEG,
                MediaType.SVG,
                MediaType.PDF,
                used_by=("artwork",),
            ),
        ),
    )


def demo_products(manufacturer_id: str) -> tuple[Product, ...]:
    """The demo catalogue of the manufacturer with user id ``manufacturer_id``."""
    return (
        bicycle_frame(manufacturer_id),
        custom_shoes(manufacturer_id),
        cabinet(manufacturer_id),
        machined_part(manufacturer_id),
        tote_bag(manufacturer_id),
    )

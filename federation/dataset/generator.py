"""Deterministic generator of the supplier data set: the same seed and count give the same suppliers.

Each supplier belongs to one industry profile (machining shop, sheet-metal shop, plastics moulder,
additive bureau, electronics manufacturer, finishing shop, textile workshop, woodworker, foundry),
which decides its processes, materials and likely certifications. Prices follow a base hourly rate
and setup cost per process, scaled by the country's cost level and the supplier's own factor, with a
price factor per material.

Regenerate the shipped file (a test checks it equals this generator's output)::

    python -m federation.dataset.generator --out federation/dataset/suppliers.json
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from federation.dataset.loader import SHIPPED, render_csv, render_json
from federation.dataset.schema import CapabilityRecord, SupplierDataset, SupplierRecord
from federation.pricing import PriceModel
from ontology.process import ProcessKind as P
from ontology.process import QualityLevel
from ontology.supplier import Location

T = TypeVar("T")

DEFAULT_SEED = 20_240_501
DEFAULT_COUNT = 320


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    cost: float  # hourly-rate level, Germany = 1.0
    weight: int  # how many suppliers it gets, relatively
    legal_forms: tuple[str, ...]
    roots: tuple[str, ...]  # company name roots
    cities: tuple[tuple[str, float, float], ...]


COUNTRIES: tuple[Country, ...] = (
    Country("DE", "Germany", 1.00, 14, ("GmbH", "GmbH & Co. KG", "AG"),
            ("Bauer", "Hofmann", "Krämer", "Lindner", "Richter", "Vogel", "Wagner", "Zeller"),
            (("Stuttgart", 48.78, 9.18), ("Munich", 48.14, 11.58), ("Hamburg", 53.55, 9.99),
             ("Chemnitz", 50.83, 12.92), ("Nuremberg", 49.45, 11.08), ("Bielefeld", 52.02, 8.53),
             ("Dortmund", 51.51, 7.47), ("Hanover", 52.37, 9.74))),
    Country("FR", "France", 0.98, 8, ("SAS", "SARL", "SA"),
            ("Bernard", "Dubois", "Fontaine", "Girard", "Lefèvre", "Moreau"),
            (("Lyon", 45.76, 4.84), ("Toulouse", 43.60, 1.44), ("Lille", 50.63, 3.06),
             ("Grenoble", 45.19, 5.72), ("Nantes", 47.22, -1.55), ("Strasbourg", 48.57, 7.75))),
    Country("IT", "Italy", 0.88, 10, ("S.r.l.", "S.p.A."),
            ("Bianchi", "Colombo", "Ferrari", "Galli", "Marchetti", "Rinaldi", "Santoro"),
            (("Milan", 45.46, 9.19), ("Turin", 45.07, 7.69), ("Bologna", 44.49, 11.34),
             ("Brescia", 45.54, 10.22), ("Bergamo", 45.70, 9.67), ("Vicenza", 45.55, 11.55),
             ("Modena", 44.65, 10.93))),
    Country("ES", "Spain", 0.80, 6, ("S.L.", "S.A."),
            ("Castillo", "Herrera", "Navarro", "Ortega", "Romero"),
            (("Barcelona", 41.39, 2.17), ("Valencia", 39.47, -0.38), ("Bilbao", 43.26, -2.93),
             ("Zaragoza", 41.65, -0.89), ("Madrid", 40.42, -3.70))),
    Country("PT", "Portugal", 0.62, 4, ("Lda.", "S.A."),
            ("Almeida", "Carvalho", "Ferreira", "Sousa"),
            (("Porto", 41.15, -8.61), ("Braga", 41.55, -8.42), ("Aveiro", 40.64, -8.65),
             ("Leiria", 39.74, -8.81))),
    Country("NL", "Netherlands", 1.02, 4, ("B.V.",),
            ("De Vries", "Jansen", "Mulder", "Visser"),
            (("Eindhoven", 51.44, 5.48), ("Rotterdam", 51.92, 4.48), ("Enschede", 52.22, 6.89))),
    Country("BE", "Belgium", 1.00, 3, ("NV", "BV"),
            ("Claes", "Janssens", "Peeters", "Wouters"),
            (("Antwerp", 51.22, 4.40), ("Ghent", 51.05, 3.72), ("Liège", 50.63, 5.57))),
    Country("AT", "Austria", 0.98, 4, ("GmbH",),
            ("Gruber", "Huber", "Pichler", "Steiner"),
            (("Linz", 48.31, 14.29), ("Graz", 47.07, 15.44), ("Vienna", 48.21, 16.37))),
    Country("CH", "Switzerland", 1.35, 3, ("AG", "GmbH"),
            ("Brunner", "Keller", "Meier", "Schmid"),
            (("Zurich", 47.38, 8.54), ("Basel", 47.56, 7.59), ("St. Gallen", 47.42, 9.37))),
    Country("PL", "Poland", 0.55, 8, ("Sp. z o.o.", "S.A."),
            ("Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Zieliński"),
            (("Wrocław", 51.11, 17.04), ("Poznań", 52.41, 16.93), ("Kraków", 50.06, 19.94),
             ("Łódź", 51.76, 19.46), ("Gdańsk", 54.35, 18.65))),
    Country("CZ", "Czechia", 0.60, 5, ("s.r.o.", "a.s."),
            ("Dvořák", "Novák", "Svoboda", "Černý"),
            (("Brno", 49.20, 16.61), ("Plzeň", 49.74, 13.38), ("Ostrava", 49.82, 18.26))),
    Country("SK", "Slovakia", 0.55, 3, ("s.r.o.",),
            ("Horváth", "Kováč", "Varga"),
            (("Bratislava", 48.15, 17.11), ("Žilina", 49.22, 18.74), ("Košice", 48.72, 21.26))),
    Country("HU", "Hungary", 0.52, 3, ("Kft.", "Zrt."),
            ("Kiss", "Molnár", "Nagy", "Tóth"),
            (("Győr", 47.69, 17.63), ("Budapest", 47.50, 19.04), ("Debrecen", 47.53, 21.63))),
    Country("SI", "Slovenia", 0.65, 2, ("d.o.o.",),
            ("Kovačič", "Novak", "Horvat"),
            (("Ljubljana", 46.06, 14.51), ("Maribor", 46.55, 15.65))),
    Country("HR", "Croatia", 0.55, 2, ("d.o.o.",),
            ("Babić", "Horvat", "Marić"),
            (("Zagreb", 45.81, 15.98), ("Rijeka", 45.33, 14.44))),
    Country("RO", "Romania", 0.45, 4, ("S.R.L.", "S.A."),
            ("Dumitru", "Ionescu", "Popescu", "Stan"),
            (("Timișoara", 45.75, 21.23), ("Cluj-Napoca", 46.77, 23.62), ("Brașov", 45.66, 25.61))),
    Country("BG", "Bulgaria", 0.40, 2, ("EOOD", "OOD"),
            ("Dimitrov", "Georgiev", "Petrov"),
            (("Plovdiv", 42.14, 24.75), ("Sofia", 42.70, 23.32))),
    Country("GR", "Greece", 0.60, 2, ("S.A.", "IKE"),
            ("Nikolaidis", "Papadopoulos", "Georgiou"),
            (("Thessaloniki", 40.64, 22.94), ("Athens", 37.98, 23.73))),
    Country("SE", "Sweden", 1.08, 4, ("AB",),
            ("Berg", "Lindqvist", "Nilsson", "Sandberg"),
            (("Gothenburg", 57.71, 11.97), ("Jönköping", 57.78, 14.16), ("Västerås", 59.61, 16.55))),
    Country("FI", "Finland", 1.02, 2, ("Oy",),
            ("Korhonen", "Mäkinen", "Virtanen"),
            (("Tampere", 61.50, 23.79), ("Oulu", 65.01, 25.47))),
    Country("DK", "Denmark", 1.15, 2, ("A/S", "ApS"),
            ("Christensen", "Madsen", "Sørensen"),
            (("Aarhus", 56.16, 10.20), ("Odense", 55.40, 10.39))),
    Country("NO", "Norway", 1.30, 1, ("AS",),
            ("Haugen", "Johansen", "Larsen"),
            (("Raufoss", 60.73, 10.61), ("Trondheim", 63.43, 10.40))),
    Country("IE", "Ireland", 1.00, 2, ("Ltd",),
            ("Byrne", "Kelly", "Murphy"),
            (("Cork", 51.90, -8.47), ("Galway", 53.27, -9.05))),
    Country("EE", "Estonia", 0.62, 1, ("OÜ", "AS"),
            ("Kask", "Tamm", "Saar"),
            (("Tallinn", 59.44, 24.75), ("Tartu", 58.38, 26.72))),
    Country("LT", "Lithuania", 0.50, 1, ("UAB",),
            ("Kazlauskas", "Petrauskas"),
            (("Kaunas", 54.90, 23.90), ("Vilnius", 54.69, 25.28))),
    Country("LV", "Latvia", 0.50, 1, ("SIA",),
            ("Bērziņš", "Kalniņš"),
            (("Riga", 56.95, 24.11),)),
)  # fmt: skip

#: Base hourly rate (EUR, German level) and setup cost per process.
PROCESS_PRICES: dict[P, tuple[int, int]] = {
    P.CNC_MILLING: (75, 80),
    P.CNC_TURNING: (65, 60),
    P.LASER_CUTTING: (90, 40),
    P.WATERJET_CUTTING: (85, 50),
    P.SHEET_METAL_BENDING: (60, 35),
    P.WELDING: (55, 30),
    P.CASTING: (70, 400),
    P.FORGING: (80, 500),
    P.INJECTION_MOULDING: (95, 1500),
    P.ADDITIVE_MANUFACTURING: (60, 15),
    P.PCB_ASSEMBLY: (70, 250),
    P.SURFACE_FINISHING: (50, 40),
    P.PAINTING: (45, 50),
    P.TEXTILE_CUTTING_SEWING: (35, 30),
    P.TEXTILE_PRINTING: (40, 60),
    P.WOODWORKING: (45, 40),
    P.ASSEMBLY: (40, 20),
    P.QUALITY_INSPECTION: (55, 25),
    P.PACKAGING: (30, 10),
}

METALS = ("aluminium", "steel", "stainless steel", "brass", "titanium", "copper")
#: Materials each process works (in the order they are drawn from) and their base price factor.
PROCESS_MATERIALS: dict[P, tuple[str, ...]] = {
    P.CNC_MILLING: ("aluminium", "steel", "stainless steel", "brass", "titanium", "POM", "PEEK"),
    P.CNC_TURNING: ("aluminium", "steel", "stainless steel", "brass", "titanium", "POM"),
    P.LASER_CUTTING: ("steel", "stainless steel", "aluminium", "copper", "acrylic", "plywood"),
    P.WATERJET_CUTTING: ("steel", "stainless steel", "aluminium", "titanium", "glass", "stone"),
    P.SHEET_METAL_BENDING: ("steel", "stainless steel", "aluminium", "copper"),
    P.WELDING: ("steel", "stainless steel", "aluminium"),
    P.CASTING: ("aluminium", "cast iron", "bronze", "steel"),
    P.FORGING: ("steel", "stainless steel", "aluminium", "titanium"),
    P.INJECTION_MOULDING: ("ABS", "PP", "PA6", "PC", "POM", "TPU"),
    P.ADDITIVE_MANUFACTURING: ("PA12", "PLA", "PETG", "TPU", "resin", "titanium", "stainless steel",
                               "aluminium"),
    P.PCB_ASSEMBLY: ("FR-4", "aluminium-core", "polyimide"),
    P.SURFACE_FINISHING: ("aluminium", "steel", "stainless steel", "titanium", "brass"),
    P.PAINTING: ("steel", "aluminium", "wood", "plastics"),
    P.TEXTILE_CUTTING_SEWING: ("cotton", "polyester", "wool", "leather", "nylon", "linen"),
    P.TEXTILE_PRINTING: ("cotton", "polyester", "linen"),
    P.WOODWORKING: ("oak", "beech", "birch plywood", "walnut", "pine", "MDF"),
    P.ASSEMBLY: (),
    P.QUALITY_INSPECTION: (),
    P.PACKAGING: (),
}  # fmt: skip

MATERIAL_FACTORS: dict[str, float] = {
    "aluminium": 1.0, "steel": 1.05, "stainless steel": 1.3, "brass": 1.25, "titanium": 2.2,
    "copper": 1.35, "POM": 0.9, "PEEK": 2.8, "acrylic": 0.85, "plywood": 0.8, "glass": 1.2, "stone": 1.4,
    "cast iron": 0.95, "bronze": 1.4, "ABS": 1.0, "PP": 0.9, "PA6": 1.05, "PC": 1.15, "TPU": 1.2,
    "PA12": 1.0, "PLA": 0.8, "PETG": 0.85, "resin": 1.1, "FR-4": 1.0, "aluminium-core": 1.3,
    "polyimide": 1.6, "wood": 0.9, "plastics": 0.95, "cotton": 1.0, "polyester": 0.9, "wool": 1.4,
    "leather": 1.9, "nylon": 1.0, "linen": 1.2, "oak": 1.3, "beech": 1.0, "birch plywood": 0.9,
    "walnut": 1.8, "pine": 0.8, "MDF": 0.7,
}  # fmt: skip

#: Typical lead time range in days per process.
LEAD_TIMES: dict[P, tuple[int, int]] = {
    P.CNC_MILLING: (3, 15), P.CNC_TURNING: (3, 12), P.LASER_CUTTING: (1, 7), P.WATERJET_CUTTING: (2, 8),
    P.SHEET_METAL_BENDING: (2, 10), P.WELDING: (3, 12), P.CASTING: (10, 35), P.FORGING: (10, 30),
    P.INJECTION_MOULDING: (14, 45), P.ADDITIVE_MANUFACTURING: (1, 6), P.PCB_ASSEMBLY: (5, 20),
    P.SURFACE_FINISHING: (2, 8), P.PAINTING: (2, 7), P.TEXTILE_CUTTING_SEWING: (3, 14),
    P.TEXTILE_PRINTING: (2, 8), P.WOODWORKING: (4, 20), P.ASSEMBLY: (2, 10), P.QUALITY_INSPECTION: (1, 5),
    P.PACKAGING: (1, 4),
}  # fmt: skip


@dataclass(frozen=True)
class Profile:
    """An industry profile: its main process, optional further processes with their odds, naming."""

    key: str
    weight: int
    main: P
    extra: tuple[tuple[P, float], ...]
    words: tuple[str, ...]
    description: str
    certifications: tuple[tuple[str, float], ...]


PROFILES: tuple[Profile, ...] = (
    Profile("machining", 22, P.CNC_MILLING,
            ((P.CNC_TURNING, 0.8), (P.SURFACE_FINISHING, 0.3), (P.QUALITY_INSPECTION, 0.3),
             (P.ASSEMBLY, 0.15)),
            ("Precision", "Machining", "Mechanics", "CNC"),
            "Contract CNC machining",
            (("IATF 16949", 0.15), ("AS9100", 0.1), ("ISO 13485", 0.08))),
    Profile("turning", 6, P.CNC_TURNING, ((P.CNC_MILLING, 0.4), (P.SURFACE_FINISHING, 0.25)),
            ("Turned Parts", "Precision"),
            "Turned parts and bar machining",
            (("IATF 16949", 0.2),)),
    Profile("sheet-metal", 18, P.LASER_CUTTING,
            ((P.SHEET_METAL_BENDING, 0.85), (P.WELDING, 0.6), (P.PAINTING, 0.35), (P.WATERJET_CUTTING, 0.2)),
            ("Sheet Metal", "Laser", "Metalworks"),
            "Sheet-metal fabrication: cutting, bending, welding",
            (("IATF 16949", 0.1), ("EN 1090", 0.4))),
    Profile("plastics", 10, P.INJECTION_MOULDING, ((P.ADDITIVE_MANUFACTURING, 0.3), (P.ASSEMBLY, 0.2)),
            ("Plastics", "Polymer", "Moulding"),
            "Plastic injection moulding and mould making",
            (("IATF 16949", 0.15), ("ISO 13485", 0.12))),
    Profile("additive", 8, P.ADDITIVE_MANUFACTURING, ((P.CNC_MILLING, 0.2), (P.SURFACE_FINISHING, 0.3)),
            ("Additive", "3D Print", "Rapid", "Layer"),
            "Additive manufacturing bureau: polymer and metal 3D printing",
            (("AS9100", 0.1), ("ISO 13485", 0.1))),
    Profile("electronics", 9, P.PCB_ASSEMBLY,
            ((P.ASSEMBLY, 0.6), (P.QUALITY_INSPECTION, 0.5), (P.PACKAGING, 0.2)),
            ("Electronics", "EMS", "Circuits"),
            "Electronics manufacturing services: SMT and THT PCB assembly",
            (("IPC-A-610", 0.7), ("ISO 13485", 0.1), ("IATF 16949", 0.1))),
    Profile("finishing", 7, P.SURFACE_FINISHING, ((P.PAINTING, 0.6), (P.QUALITY_INSPECTION, 0.2)),
            ("Surface", "Coatings", "Finishing"),
            "Surface finishing: anodising, plating, powder coating, polishing",
            (("Qualanod", 0.2),)),
    Profile("textile", 8, P.TEXTILE_CUTTING_SEWING, ((P.TEXTILE_PRINTING, 0.5), (P.PACKAGING, 0.3)),
            ("Textiles", "Sewing", "Apparel"),
            "Textile cutting and sewing, small series and one-offs",
            (("OEKO-TEX Standard 100", 0.5), ("GOTS", 0.2))),
    Profile("wood", 7, P.WOODWORKING, ((P.PAINTING, 0.4), (P.ASSEMBLY, 0.4), (P.PACKAGING, 0.2)),
            ("Woodworks", "Joinery", "Timber"),
            "Joinery and CNC woodworking",
            (("FSC", 0.5), ("PEFC", 0.3))),
    Profile("foundry", 5, P.CASTING, ((P.CNC_MILLING, 0.5), (P.FORGING, 0.3), (P.SURFACE_FINISHING, 0.3)),
            ("Foundry", "Casting", "Forge"),
            "Foundry: sand and die casting, machining of castings",
            (("IATF 16949", 0.2),)),
)  # fmt: skip

#: Words of company names in German-speaking countries, per profile (added to the profile's own words).
GERMAN_WORDS: dict[str, tuple[str, ...]] = {
    "machining": ("Zerspanungstechnik", "Feinmechanik"),
    "turning": ("Drehteile",),
    "sheet-metal": ("Blechtechnik", "Metallbau"),
    "plastics": ("Kunststofftechnik",),
    "electronics": ("Elektronik",),
    "finishing": ("Oberflächentechnik",),
    "wood": ("Holztechnik", "Schreinerei"),
    "foundry": ("Giesserei",),
}
GERMAN_SPEAKING = frozenset({"DE", "AT", "CH"})

QUALITY_ODDS = ((QualityLevel.ECONOMY, 15), (QualityLevel.STANDARD, 50), (QualityLevel.PREMIUM, 35))
COMMON_CERTIFICATIONS = (("ISO 9001", 0.85), ("ISO 14001", 0.35), ("ISO 45001", 0.2), ("ISO 50001", 0.1))


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _weighted(rng: random.Random, items: tuple[tuple[T, int], ...]) -> T:
    return rng.choices([item for item, _ in items], weights=[weight for _, weight in items])[0]


def generate(seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT) -> SupplierDataset:
    """``count`` suppliers across Europe; the same seed and count always give the same data set."""
    rng = random.Random(seed)
    countries = tuple((country, country.weight) for country in COUNTRIES)
    profiles = tuple((profile, profile.weight) for profile in PROFILES)
    names: set[str] = set()
    suppliers = [_supplier(rng, number, countries, profiles, names) for number in range(1, count + 1)]
    return SupplierDataset(seed=seed, suppliers=tuple(suppliers))


def _supplier(
    rng: random.Random,
    number: int,
    countries: tuple[tuple[Country, int], ...],
    profiles: tuple[tuple[Profile, int], ...],
    names: set[str],
) -> SupplierRecord:
    country = _weighted(rng, countries)
    profile = _weighted(rng, profiles)
    city, lat, lon = rng.choice(country.cities)
    employees = max(3, min(2000, round(rng.lognormvariate(3.6, 0.9))))
    size = min(3.0, 0.4 + employees / 60)  # capacity scale
    price_level = country.cost * rng.uniform(0.85, 1.2)
    quality = _weighted(rng, QUALITY_ODDS)

    processes = [profile.main] + [process for process, odds in profile.extra if rng.random() < odds]
    capabilities = tuple(_capability(rng, process, quality, size, price_level) for process in processes)

    certifications = [name for name, odds in COMMON_CERTIFICATIONS if rng.random() < odds]
    bonus = 1.5 if quality is QualityLevel.PREMIUM else 1.0
    certifications += [name for name, odds in profile.certifications if rng.random() < odds * bonus]

    words = profile.words + (GERMAN_WORDS.get(profile.key, ()) if country.code in GERMAN_SPEAKING else ())
    name = f"{rng.choice(country.roots)} {rng.choice(words)} {rng.choice(country.legal_forms)}"
    if name in names:
        name = f"{name.rsplit(' ', 1)[0]} {city} {name.rsplit(' ', 1)[1]}"
    if name in names:
        name = f"{name} ({number})"
    names.add(name)

    rating = None if rng.random() < 0.05 else round(min(5.0, max(2.0, rng.gauss(4.0, 0.5))), 1)
    return SupplierRecord(
        id=f"SUP-{number:04d}",
        name=name,
        location=Location(
            country=country.code,
            city=city,
            latitude=round(lat + rng.uniform(-0.12, 0.12), 4),
            longitude=round(lon + rng.uniform(-0.12, 0.12), 4),
        ),
        rating=rating,
        certifications=tuple(certifications),
        currency="EUR",
        employees=employees,
        founded=rng.randint(1948, 2021),
        description=f"{profile.description} in {city}, {country.name}.",
        capabilities=capabilities,
    )


def _capability(
    rng: random.Random, process: P, quality: QualityLevel, size: float, price_level: float
) -> CapabilityRecord:
    known = PROCESS_MATERIALS[process]
    materials: tuple[str, ...] = ()
    if known:
        how_many = rng.randint(min(2, len(known)), min(5, len(known)))
        chosen = set(rng.sample(known, how_many))
        materials = tuple(material for material in known if material in chosen)
    rate, setup = PROCESS_PRICES[process]
    quality_markup = {QualityLevel.ECONOMY: 0.85, QualityLevel.STANDARD: 1.0, QualityLevel.PREMIUM: 1.2}[
        quality
    ]
    low, high = LEAD_TIMES[process]
    factors = {m: _factor(MATERIAL_FACTORS[m] * rng.uniform(0.92, 1.08)) for m in materials}
    return CapabilityRecord(
        process=process,
        materials=materials,
        max_quality=quality,
        capacity_hours_per_week=round(40 * size * rng.uniform(0.6, 1.6), 1),
        lead_time_days=rng.randint(low, high),
        price=PriceModel(
            setup_cost=_money(setup * price_level * rng.uniform(0.8, 1.25)),
            hourly_rate=_money(rate * price_level * quality_markup * rng.uniform(0.9, 1.1)),
            material_factors=factors,
        ),
    )


def _factor(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the generated supplier data set.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument("--out", type=Path, default=SHIPPED, help="file to write (.json or .csv)")
    args = parser.parse_args(argv)
    dataset = generate(args.seed, args.count)
    text = render_csv(dataset) if args.out.suffix.lower() == ".csv" else render_json(dataset)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {len(dataset.suppliers)} suppliers to {args.out}")


if __name__ == "__main__":
    main()

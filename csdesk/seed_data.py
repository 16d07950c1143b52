"""Reference data and generators of the demo seed: stores, users, reasons, the catalogue,
customers with their addresses. Pure functions of a ``random.Random``; no database."""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import accumulate
from typing import Any, Generic, TypeVar

from core.money import quantize
from models.enums import CustomerType, Permission
from resolvers.normalize import fold

# Purchase dates are spread over the two years before this instant, whatever day it is today.
ANCHOR = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
IMAGE_URL = "https://img.csdesk.example/sku/{code}.jpg"


@dataclass(frozen=True)
class StoreDef:
    code: str
    name: str
    currency: str
    language: str
    vat_country: str
    tax_rate: Decimal
    fx: Decimal  # catalogue (GBP) price → store price
    shipping: dict[str, Decimal]  # method → charge; Standard is free from free_from
    free_from: Decimal
    sources: tuple[tuple[str, int], ...]  # (source code, weight) the lines ship from
    return_to: str  # where returns of lines shipped by a non-returns source go
    payments: tuple[tuple[str, int], ...]


STORES: tuple[StoreDef, ...] = (
    StoreDef(
        "UK",
        "csdesk UK",
        "GBP",
        "en",
        "GB",
        Decimal("0.20"),
        Decimal(1),
        {
            "Standard": Decimal("3.95"),
            "Express": Decimal("6.95"),
            "Next day": Decimal("9.95"),
            "Click & Collect": Decimal(0),
        },
        Decimal(50),
        (("LON-WH", 85), ("MAN-OUTLET", 15)),
        "LON-WH",
        (("Visa •••• 4242", 40), ("Mastercard •••• 5454", 25), ("PayPal", 25), ("Klarna", 10)),
    ),
    StoreDef(
        "DE",
        "csdesk Deutschland",
        "EUR",
        "de",
        "DE",
        Decimal("0.19"),
        Decimal("1.15"),
        {
            "Standard": Decimal("4.95"),
            "Express": Decimal("7.95"),
            "Next day": Decimal("11.95"),
            "Click & Collect": Decimal(0),
        },
        Decimal(60),
        (("BER-WH", 100),),
        "BER-WH",
        (("PayPal", 35), ("Klarna", 30), ("Visa •••• 4242", 20), ("Mastercard •••• 5454", 15)),
    ),
    StoreDef(
        "US",
        "csdesk US",
        "USD",
        "en",
        "US",
        Decimal("0.0725"),
        Decimal("1.25"),
        {
            "Standard": Decimal("5.99"),
            "Express": Decimal("12.99"),
            "Next day": Decimal("24.99"),
            "Click & Collect": Decimal(0),
        },
        Decimal(75),
        (("NJ-WH", 100),),
        "NJ-WH",
        (("Visa •••• 4242", 45), ("Mastercard •••• 5454", 30), ("PayPal", 25)),
    ),
    StoreDef(
        "FR",
        "csdesk France",
        "EUR",
        "fr",
        "FR",
        Decimal("0.20"),
        Decimal("1.15"),
        {
            "Standard": Decimal("4.95"),
            "Express": Decimal("8.95"),
            "Next day": Decimal("12.95"),
            "Click & Collect": Decimal(0),
        },
        Decimal(60),
        (("BER-WH", 70), ("PARIS-SHOP", 30)),
        "BER-WH",
        (("Visa •••• 4242", 40), ("PayPal", 30), ("Mastercard •••• 5454", 20), ("Klarna", 10)),
    ),
)

# (code, name, accepts returns)
SOURCES: tuple[tuple[str, str, bool], ...] = (
    ("LON-WH", "London warehouse", True),
    ("BER-WH", "Berlin warehouse", True),
    ("NJ-WH", "New Jersey warehouse", True),
    ("PARIS-SHOP", "Paris Marais shop", False),
    ("MAN-OUTLET", "Manchester outlet", True),
)
CARRIERS = {"UK": "Royal Mail", "DE": "DHL", "US": "UPS", "FR": "Colissimo"}

CS_PERMISSIONS = [
    Permission.ORDER_VIEW,
    Permission.COMMENT_ADD,
    Permission.EXCHANGE_CREATE,
    Permission.RESHIPMENT_CREATE,
    Permission.APPEASEMENT_CREATE,
    Permission.APPEASEMENT_CANCEL,
    Permission.APPEASEMENT_APPROVE,
    Permission.RETURN_CREATE,
    Permission.RETURN_APPROVE,
    Permission.RETURN_CANCEL,
    Permission.ORDER_CANCEL,
    Permission.ORDER_EDIT,
    Permission.REFUND_RETRY,
]
AGENT_PERMISSIONS = [
    Permission.ORDER_VIEW,
    Permission.COMMENT_ADD,
    Permission.APPEASEMENT_CREATE,
    Permission.RETURN_CREATE,
    Permission.EXCHANGE_CREATE,
    Permission.RESHIPMENT_CREATE,
    Permission.ORDER_CANCEL,
    Permission.ORDER_EDIT,
]
# (name, level, permissions, store access, SPECIFIC store codes)
ROLES: tuple[tuple[str, int, list[Permission], str, tuple[str, ...]], ...] = (
    ("Administrator", 1, [p for p in Permission if p is not Permission.INTEGRATION], "ALL", ()),
    ("CS Supervisor", 2, CS_PERMISSIONS, "ALL", ()),
    ("CS Agent", 3, AGENT_PERMISSIONS, "SPECIFIC", ("UK", "DE")),
    ("Integration", 3, [Permission.INTEGRATION, Permission.ORDER_VIEW], "ALL", ()),
)
# (username, display name, role, time zone, password; None = random and unusable)
USERS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("admin", "Ada Admin", "Administrator", "Europe/London", "admin"),
    ("supervisor", "Sam Supervisor", "CS Supervisor", "Europe/Berlin", "supervisor"),
    ("agent", "Alex Agent", "CS Agent", "Europe/London", "agent"),
    ("integration", "Integration", "Integration", "UTC", None),
)
REASONS: dict[str, tuple[tuple[str, str], ...]] = {
    "APPEASEMENT": (
        ("LATE_DELIVERY", "Late delivery"),
        ("DAMAGED_ITEM", "Item damaged"),
        ("PRICE_ADJUSTMENT", "Price adjustment"),
        ("GOODWILL", "Goodwill gesture"),
        ("MISSING_PART", "Missing part"),
    ),
    "RETURN": (
        ("TOO_SMALL", "Too small"),
        ("TOO_LARGE", "Too large"),
        ("NOT_AS_DESCRIBED", "Not as described"),
        ("DAMAGED", "Arrived damaged"),
        ("CHANGED_MIND", "Changed mind"),
        ("WRONG_ITEM", "Wrong item sent"),
    ),
    "CANCELLATION": (
        ("CUSTOMER_REQUEST", "Customer request"),
        ("ORDERED_BY_MISTAKE", "Ordered by mistake"),
        ("DELIVERY_TOO_LATE", "Delivery date too late"),
        ("PAYMENT_ISSUE", "Payment issue"),
        ("FRAUD_SUSPECTED", "Fraud suspected"),
        ("OTHER", "Other"),
    ),
    "RESHIPMENT": (
        ("LOST_IN_TRANSIT", "Lost in transit"),
        ("DAMAGED", "Arrived damaged"),
        ("WRONG_ITEM", "Wrong item sent"),
    ),
}
# Labels of the reasons in the demo's other store languages (customers read cancellation
# reasons in their email).
REASON_LABELS: dict[tuple[str, str], dict[str, str]] = {
    ("APPEASEMENT", "LATE_DELIVERY"): {"de": "Verspätete Lieferung", "fr": "Livraison tardive"},
    ("APPEASEMENT", "DAMAGED_ITEM"): {"de": "Artikel beschädigt", "fr": "Article endommagé"},
    ("APPEASEMENT", "PRICE_ADJUSTMENT"): {"de": "Preisanpassung", "fr": "Ajustement de prix"},
    ("APPEASEMENT", "GOODWILL"): {"de": "Kulanz", "fr": "Geste commercial"},
    ("APPEASEMENT", "MISSING_PART"): {"de": "Fehlendes Teil", "fr": "Pièce manquante"},
    ("RETURN", "TOO_SMALL"): {"de": "Zu klein", "fr": "Trop petit"},
    ("RETURN", "TOO_LARGE"): {"de": "Zu groß", "fr": "Trop grand"},
    ("RETURN", "NOT_AS_DESCRIBED"): {"de": "Nicht wie beschrieben", "fr": "Non conforme"},
    ("RETURN", "DAMAGED"): {"de": "Beschädigt angekommen", "fr": "Arrivé endommagé"},
    ("RETURN", "CHANGED_MIND"): {"de": "Meinung geändert", "fr": "Changement d'avis"},
    ("RETURN", "WRONG_ITEM"): {"de": "Falscher Artikel", "fr": "Mauvais article"},
    ("CANCELLATION", "CUSTOMER_REQUEST"): {
        "de": "Auf Wunsch des Kunden",
        "fr": "À la demande du client",
    },
    ("CANCELLATION", "ORDERED_BY_MISTAKE"): {
        "de": "Versehentlich bestellt",
        "fr": "Commandé par erreur",
    },
    ("CANCELLATION", "DELIVERY_TOO_LATE"): {
        "de": "Liefertermin zu spät",
        "fr": "Date de livraison trop tardive",
    },
    ("CANCELLATION", "PAYMENT_ISSUE"): {"de": "Zahlungsproblem", "fr": "Problème de paiement"},
    ("CANCELLATION", "FRAUD_SUSPECTED"): {"de": "Betrugsverdacht", "fr": "Suspicion de fraude"},
    ("CANCELLATION", "OTHER"): {"de": "Sonstiges", "fr": "Autre"},
    ("RESHIPMENT", "LOST_IN_TRANSIT"): {"de": "Auf dem Versandweg verloren", "fr": "Perdu"},
    ("RESHIPMENT", "DAMAGED"): {"de": "Beschädigt angekommen", "fr": "Arrivé endommagé"},
    ("RESHIPMENT", "WRONG_ITEM"): {"de": "Falscher Artikel", "fr": "Mauvais article"},
}
SETTINGS: dict[str, dict[str, Any]] = {"postsales.sourcingStrategy.enabled": {"enabled": False}}

FIRST_NAMES = {
    "UK": (
        "Oliver",
        "Amelia",
        "Siobhán",
        "Seán",
        "Zoë",
        "Niamh",
        "Harry",
        "Isla",
        "Jack",
        "Emily",
        "Aoife",
        "Rhys",
        "Olivia",
        "Mohammed",
        "Priya",
        "Ciarán",
        "Eilidh",
        "Dafydd",
    ),
    "DE": (
        "Jürgen",
        "Björn",
        "Lena",
        "Mia",
        "Lukas",
        "Jörg",
        "Sören",
        "Anna",
        "Maximilian",
        "Hannah",
        "Felix",
        "Käthe",
        "Jonas",
        "Özlem",
        "Günter",
        "Leonie",
        "Elias",
        "Uwe",
    ),
    "US": (
        "José",
        "María",
        "James",
        "Emma",
        "Michael",
        "Sophia",
        "Liam",
        "Ava",
        "Noah",
        "Isabella",
        "Ethan",
        "Zoë",
        "DeShawn",
        "Aaliyah",
        "Connor",
        "Mateo",
        "Renée",
        "Mei",
    ),
    "FR": (
        "Renée",
        "François",
        "Zoë",
        "Hélène",
        "Amélie",
        "Léa",
        "Chloé",
        "Étienne",
        "Benoît",
        "Jérôme",
        "Céline",
        "Gaëlle",
        "Noël",
        "Maël",
        "Inès",
        "Théo",
        "Camille",
        "Anaïs",
    ),
}
LAST_NAMES = {
    "UK": (
        "Smith",
        "O'Brien",
        "O'Connor",
        "Jones",
        "Brontë",
        "Taylor",
        "Williams",
        "McAllister",
        "Patel",
        "Khan",
        "Davies",
        "Evans",
        "D'Arcy",
        "Fitzgerald",
        "MacLeod",
        "Walsh",
    ),
    "DE": (
        "Müller",
        "Schröder",
        "Schmidt",
        "Åkesson",
        "Weiß",
        "Köhler",
        "Groß",
        "Becker",
        "Wagner",
        "Schäfer",
        "Krüger",
        "Yılmaz",
        "Zimmermann",
        "von Bülow",
        "Neumann",
    ),
    "US": (
        "García",
        "Smith",
        "Johnson",
        "O'Neil",
        "Brown",
        "Nguyen",
        "Rodríguez",
        "Martínez",
        "Kim",
        "Patel",
        "Miller",
        "Hernández",
        "Wilson",
        "O'Malley",
        "Peña",
        "Jackson",
    ),
    "FR": (
        "Lefèvre",
        "Dupont",
        "Martin",
        "Bernard",
        "Moreau",
        "Girard",
        "D'Angelo",
        "Fournier",
        "Mercier",
        "Rousseau",
        "Faure",
        "L'Hôte",
        "Chevalier",
        "Lemaître",
        "Béranger",
    ),
}
COMPANY_FORMS = {
    "UK": "{} & Co Ltd",
    "DE": "{} & Söhne GmbH",
    "US": "{} Supply Co.",
    "FR": "{} et Fils SARL",
}
EMAIL_DOMAINS = {
    "UK": ("example.co.uk", "example.com", "mail.example.org"),
    "DE": ("example.de", "example.com", "post.example.de"),
    "US": ("example.com", "example.net", "mail.example.org"),
    "FR": ("example.fr", "example.com", "courriel.example.fr"),
}
# (city, region, postal codes); UK codes get a random inward part after the district.
CITIES: dict[str, tuple[tuple[str, str | None, tuple[str, ...]], ...]] = {
    "UK": (
        ("London", None, ("SW1A", "EC1A", "W1D", "SE1", "N1", "E2")),
        ("Manchester", "Greater Manchester", ("M1", "M4", "M20")),
        ("Edinburgh", None, ("EH1", "EH3")),
        ("Bristol", None, ("BS1", "BS8")),
        ("Leeds", "West Yorkshire", ("LS1", "LS6")),
        ("Cardiff", None, ("CF10",)),
        ("Belfast", "County Antrim", ("BT1", "BT7")),
        ("Bath", "Somerset", ("BA1",)),
    ),
    "DE": (
        ("Berlin", "Berlin", ("10115", "10437", "10999", "12043")),
        ("München", "Bayern", ("80331", "80469")),
        ("Hamburg", "Hamburg", ("20095", "22767")),
        ("Köln", "Nordrhein-Westfalen", ("50667", "50823")),
        ("Frankfurt am Main", "Hessen", ("60311", "60594")),
        ("Düsseldorf", "Nordrhein-Westfalen", ("40213",)),
        ("Leipzig", "Sachsen", ("04109",)),
        ("Stuttgart", "Baden-Württemberg", ("70173",)),
    ),
    "US": (
        ("San Francisco", "CA", ("94107", "94110", "94103")),
        ("New York", "NY", ("10001", "10011", "10027")),
        ("Austin", "TX", ("78701", "78704")),
        ("Seattle", "WA", ("98101", "98109")),
        ("Chicago", "IL", ("60601", "60614")),
        ("Boston", "MA", ("02108", "02116")),
        ("Los Angeles", "CA", ("90012", "90026")),
    ),
    "FR": (
        ("Paris", "Île-de-France", ("75001", "75004", "75011", "75015")),
        ("Lyon", "Auvergne-Rhône-Alpes", ("69002", "69007")),
        ("Marseille", "Provence-Alpes-Côte d'Azur", ("13001", "13008")),
        ("Bordeaux", "Nouvelle-Aquitaine", ("33000",)),
        ("Lille", "Hauts-de-France", ("59000",)),
        ("Nantes", "Pays de la Loire", ("44000",)),
    ),
}
STREETS = {
    "UK": (
        "{n} Baker Street",
        "{n} King's Road",
        "{n} Queen's Gate",
        "{n} St John's Wood Road",
        "{n} High Street",
        "{n} Canal Street",
        "{n} Princes Street",
        "{n} Abbey Road",
    ),
    "DE": (
        "Müllerstraße {n}",
        "Kurfürstendamm {n}",
        "Schönhauser Allee {n}",
        "Königsallee {n}",
        "Friedrichstraße {n}",
        "Am Weißen Steg {n}",
        "Große Bleichen {n}",
        "Torstraße {n}",
    ),
    "US": (
        "{n} Market St",
        "{n} Mission St",
        "{n} W 23rd St",
        "{n} Congress Ave",
        "{n} Pike St",
        "{n} N Michigan Ave",
        "{n} Beacon St",
        "{n} Sunset Blvd",
    ),
    "FR": (
        "{n} rue de l'Église",
        "{n} avenue des Champs-Élysées",
        "{n} boulevard Saint-Germain",
        "{n} rue du Faubourg Saint-Honoré",
        "{n} place Bellecour",
        "{n} quai des Chartrons",
        "{n} rue d'Alsace-Lorraine",
        "{n} rue Oberkampf",
    ),
}
LINE2 = {
    "UK": ("Flat 3", "Flat 12B", "c/o Reception", "Apartment 7"),
    "DE": ("Hinterhaus, 2. OG", "c/o Schröder", "Aufgang B", "3. Etage links"),
    "US": ("Apt 4B", "Suite 200", "Unit 12", "Apt 1203"),
    "FR": ("Bâtiment B", "Appartement 12", "3e étage", "Escalier C"),
}
# Featured customers, the first ones created: easy to find in a demo.
# (store, first, last, city index, postal code, phone, type)
FEATURED: tuple[tuple[str, str, str, int, str, str, CustomerType], ...] = (
    ("UK", "Siobhán", "O'Brien", 0, "SW1A 1AA", "+44 7700 900123", CustomerType.REGISTERED),
    ("DE", "Jürgen", "Müller", 0, "10115", "+49 30 1234567", CustomerType.REGISTERED),
    ("US", "José", "García", 0, "94107", "+1 (415) 555-0134", CustomerType.REGISTERED),
    ("UK", "Zoë", "Brontë", 1, "M1 1AE", "07700 900456", CustomerType.GUEST),
    ("FR", "Renée", "Lefèvre", 0, "75004", "+33 6 12 34 56 78", CustomerType.REGISTERED),
    ("FR", "François", "Dupont", 1, "69002", "04 72 12 34 56", CustomerType.B2B),
    ("UK", "Seán", "O'Connor", 6, "BT1 5GS", "+44 28 9018 0123", CustomerType.REGISTERED),
    ("DE", "Björn", "Åkesson", 2, "20095", "030 1234567", CustomerType.GUEST),
    ("US", "María", "Rodríguez", 1, "10001-1234", "415-555-0134", CustomerType.B2B),
)

# (family, sizes, colours, catalogue price range in GBP)
FAMILIES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[int, int]], ...] = (
    ("Organic Tee", ("XS", "S", "M", "L", "XL"), ("Black", "White", "Navy", "Sage"), (19, 35)),
    ("Crêpe Blouse", ("XS", "S", "M", "L"), ("Ivory", "Black", "Rosé"), (45, 69)),
    ("Chelsea Boots", ("6", "7", "8", "9", "10"), ("Black", "Tan"), (120, 180)),
    ("Slim Jeans", ("28", "30", "32", "34", "36"), ("Indigo", "Black", "Stone"), (59, 89)),
    ("Merino Jumper", ("S", "M", "L", "XL"), ("Charcoal", "Camel", "Bordeaux"), (69, 99)),
    ("Parka", ("S", "M", "L", "XL"), ("Olive", "Navy", "Black"), (149, 249)),
    ("Linen Shirt", ("S", "M", "L", "XL"), ("White", "Sky", "Sand"), (45, 65)),
    ("Midi Dress", ("XS", "S", "M", "L"), ("Émeraude", "Black", "Terracotta"), (69, 119)),
    ("Trainers", ("6", "7", "8", "9", "10", "11"), ("White", "Grey"), (79, 129)),
    ("Chinos", ("30", "32", "34", "36"), ("Khaki", "Navy", "Stone"), (49, 69)),
    ("Beanie", ("One size",), ("Grey", "Mustard", "Black", "Forest"), (15, 25)),
    ("Leather Belt", ("S", "M", "L"), ("Brown", "Black"), (29, 49)),
)
LINES_OF_STYLE = (
    "Men's",
    "Women's",
    "Heritage",
    "Café",
    "Nordic",
    "Riviera",
    "Camden",
    "Brooklyn",
    "Kreuzberg",
    "Île",
)

APPEASEMENT_COMMENTS = (
    None,
    None,
    "Sorry for the late delivery.",
    "Goodwill – loyal customer since 2019.",
    "Button missing; the customer keeps the item.",
    "Price dropped the day after the order.",
)
RETURN_COMMENTS = (
    "Customer will drop the parcel at the Post Office.",
    "Doesn't fit; the customer prefers a refund.",
    "Colour differs from the photos on the website.",
    "Kundin schickt die Ware über DHL zurück.",
    "Le client renvoie l'article par Colissimo.",
)
CANCEL_COMMENTS = (
    "Customer ordered the wrong size.",
    "Duplicate order.",
    "Customer changed their mind.",
    "Payment flagged by the fraud check; customer asked to cancel.",
)

COMMENTS = (
    "Customer called: parcel left with the neighbour at no. 12, they're happy now.",
    "Kundin bittet um Rückruf wegen der Größe – Umtausch erklärt.",
    "Client a appelé : colis abîmé, photos reçues par e-mail.",
    "Tracking says 'delivered' but the customer hasn't received it; asked them to check "
    "with neighbours and the building's mailroom.",
    "Customer asked whether the jumper is machine-washable; sent the care guide.",
    "Spoke to the customer – she'll drop the return at the Post Office tomorrow.",
    "Address confirmed by phone: the flat number was missing on the label.",
    "VIP customer, please prioritise any follow-up.",
    "Le client souhaite être livré après 18 h ; transmis au transporteur.",
    "Customer disputes the discount: the code expired the day before the order.",
    "Rückfrage vom Lager: Artikel beim Kommissionieren beschädigt, Ersatz unterwegs.",
    "Gift order – please don't include the invoice in the parcel.",
    "Customer upset about the delay; apologised and explained the carrier's backlog.",
    "Duplicate ticket #48213 merged into this order.",
)
# The kind of each comment above (and the external ticket it belongs to, if any).
COMMENT_KINDS: tuple[tuple[str, str | None], ...] = (
    ("COMMUNICATION", None),
    ("COMMUNICATION", None),
    ("COMPLAINT", "ZD-31877"),
    ("TRACKING_INFORMATION", None),
    ("COMMUNICATION", None),
    ("COMMUNICATION", None),
    ("TRACKING_INFORMATION", None),
    ("OTHER", None),
    ("TRACKING_INFORMATION", None),
    ("COMPLAINT", "ZD-40211"),
    ("TICKET_NOTE", "WH-2291"),
    ("OTHER", None),
    ("COMPLAINT", "ZD-40876"),
    ("TICKET_NOTE", "ZD-48213"),
)

# fmt: on

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice, the same as ``rng.choices(options, weights)[0]`` but with the weights
    added up once."""

    def __init__(self, options: Sequence[T], weights: Sequence[float]) -> None:
        self.options = tuple(options)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1] + 0.0
        self.hi = len(self.cum) - 1

    def __call__(self, rng: random.Random) -> T:
        return self.options[bisect(self.cum, rng.random() * self.total, 0, self.hi)]


STORE_OF_CUSTOMER = Weighted(("UK", "DE", "US", "FR"), (40, 25, 25, 10))
CUSTOMER_TYPE = Weighted(list(CustomerType), (25, 68, 7))


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str
    country: str
    phone: str | None

    def columns(self, prefix: str) -> dict[str, str | None]:
        """The ``shipping_*`` or ``billing_*`` columns of an order."""
        return {
            f"{prefix}_name": self.name,
            f"{prefix}_line1": self.line1,
            f"{prefix}_line2": self.line2,
            f"{prefix}_city": self.city,
            f"{prefix}_region": self.region,
            f"{prefix}_postal_code": self.postal_code,
            f"{prefix}_country": self.country,
            f"{prefix}_phone": self.phone,
        }


@dataclass(frozen=True, slots=True)
class Persona:
    """A customer and the address they usually order to."""

    id: int
    external_id: str
    type: CustomerType
    name: str
    email: str
    phone: str | None
    store: str
    address: Address

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "external_id": self.external_id,
            "type": self.type,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
        }


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def phone_number(rng: random.Random, country: str) -> str:
    """A phone number in a national or international format of ``country``."""
    intl = rng.random() < 0.5
    if country == "UK":
        d = _digits(rng, 3)
        return f"+44 7700 900{d}" if intl else f"07700 900{d}"
    if country == "DE":
        area, rest = rng.choice((("30", 7), ("40", 7), ("89", 7), ("151", 8)))
        d = _digits(rng, rest)
        return f"+49 {area} {d}" if intl else f"0{area} {d}"
    if country == "US":
        area = rng.choice(("415", "212", "512", "206", "312", "617"))
        d = _digits(rng, 2)
        return f"+1 ({area}) 555-01{d}" if intl else f"{area}-555-01{d}"
    pairs = " ".join(_digits(rng, 2) for _ in range(4))
    first = rng.choice("6712")
    return f"+33 {first} {pairs}" if intl else f"0{first} {pairs}"


def postal_code(rng: random.Random, country: str, codes: tuple[str, ...]) -> str:
    code = rng.choice(codes)
    if country == "UK":
        return f"{code} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" + rng.choice(
            "ABDEFGHJLNPQRSTUWXYZ"
        )
    if country == "US" and rng.random() < 0.2:
        return f"{code}-{_digits(rng, 4)}"
    return code


def address(
    rng: random.Random, country: str, name: str, phone: str | None, city_index: int | None = None
) -> Address:
    """A plausible address in ``country`` (store code) for ``name``."""
    cities = CITIES[country]
    city, region, codes = cities[rng.randrange(len(cities)) if city_index is None else city_index]
    line1 = rng.choice(STREETS[country]).format(n=rng.randint(1, 240))
    line2 = rng.choice(LINE2[country]) if rng.random() < 0.25 else None
    iso = "GB" if country == "UK" else country
    return Address(name, line1, line2, city, region, postal_code(rng, country, codes), iso, phone)


def email_for(rng: random.Random, first: str, last: str, country: str, cid: int) -> str:
    f, last_part = (fold(p).replace("'", "").replace(" ", "") for p in (first, last))
    local = rng.choice(
        (
            f"{f}.{last_part}",
            f"{f}{last_part}",
            f"{f[0]}.{last_part}",
            f"{f}_{last_part}{cid % 100}",
            f"{last_part}.{f}{cid % 1000}",
        )
    )
    email = f"{local}@{rng.choice(EMAIL_DOMAINS[country])}"
    if rng.random() < 0.15:  # people type their addresses in any case
        email = email.title() if rng.random() < 0.7 else email.upper()
    return email


def persona(seed: int, cid: int) -> Persona:
    """Customer ``cid`` of seed ``seed``: the same on every call, without keeping it around."""
    rng = random.Random(f"csdesk-customer/{seed}/{cid}")
    phone: str | None
    if cid <= len(FEATURED):
        store, first, last, city_index, code, phone, ctype = FEATURED[cid - 1]
        name = f"{first} {last}"
        home = replace(address(rng, store, name, phone, city_index), postal_code=code)
    else:
        store = STORE_OF_CUSTOMER(rng)
        first, last = rng.choice(FIRST_NAMES[store]), rng.choice(LAST_NAMES[store])
        name = f"{first} {last}"
        ctype = CUSTOMER_TYPE(rng)
        phone = phone_number(rng, store) if rng.random() < 0.9 else None
        home = address(rng, store, name, phone)
    if ctype is CustomerType.B2B:
        home = replace(home, name=COMPANY_FORMS[store].format(last))
    email = email_for(rng, first, last, store, cid)
    return Persona(cid, f"C{cid + 1000:07d}", ctype, name, email, phone, store, home)


def gift_recipient(rng: random.Random, country: str) -> Address:
    """Someone else's address in the same country (gift orders)."""
    name = f"{rng.choice(FIRST_NAMES[country])} {rng.choice(LAST_NAMES[country])}"
    phone = phone_number(rng, country) if rng.random() < 0.5 else None
    return address(rng, country, name, phone)


@dataclass(frozen=True, slots=True)
class SkuDef:
    id: int
    code: str
    style_id: int
    name: str
    image_url: str
    list_price: Decimal
    colour: str
    size: str
    size_rank: int  # position in the family's size run: exchanges go up or down


def catalog(rng: random.Random, styles: int = 60) -> tuple[list[dict[str, Any]], list[SkuDef]]:
    """``styles`` styles (parent SKUs) of 2–6 sibling SKUs each."""
    style_rows: list[dict[str, Any]] = []
    skus: list[SkuDef] = []
    for i in range(styles):
        family, sizes, colours, (low, high) = FAMILIES[i % len(FAMILIES)]
        line = LINES_OF_STYLE[(i // len(FAMILIES) + i) % len(LINES_OF_STYLE)]
        style_code = f"ST{1001 + i}"
        name = f"{line} {family}"
        style_rows.append({"id": i + 1, "code": style_code, "name": name})
        price = Decimal(rng.randint(low, high)) - rng.choice((Decimal(0), Decimal("0.05")))
        variants = [(c, s) for c in colours for s in sizes]
        for colour, size in sorted(rng.sample(variants, min(len(variants), rng.randint(2, 6)))):
            code = f"{style_code}-{fold(colour)[:3].upper()}-{size.replace(' ', '').upper()}"
            skus.append(
                SkuDef(
                    len(skus) + 1,
                    code,
                    i + 1,
                    f"{name} – {colour}, {size}",
                    IMAGE_URL.format(code=code),
                    price,
                    colour,
                    size,
                    sizes.index(size),
                )
            )
    return style_rows, skus


def sku_rows(skus: list[SkuDef]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "code": s.code,
            "style_id": s.style_id,
            "name": s.name,
            "attributes": {"colour": s.colour, "size": s.size},
            "image_url": s.image_url,
            "list_price": s.list_price,
        }
        for s in skus
    ]


def store_price(list_price: Decimal, store: StoreDef) -> Decimal:
    """The catalogue price in the store's currency, ending in .95 or .99 like shop prices."""
    if store.fx == 1:
        return list_price
    end = Decimal("0.99") if store.currency == "USD" else Decimal("0.95")
    return quantize(Decimal(int(list_price * store.fx)) + end, store.currency)


def stock_level(rng: random.Random, orders: int) -> int:
    """Available units: some sold out (0), some on their last unit (1), most plenty; plenty
    grows with the number of orders, whose exchanges and reshipments take units."""
    roll = rng.random()
    if roll < 0.1:
        return 0
    if roll < 0.18:
        return 1
    plenty = 400 * (1 + orders // 50_000)
    return rng.randint(2, 9) if roll < 0.4 else rng.randint(10, plenty)

"""The catalogue's fixed vocabularies: OCOP groups, categories, standards, kinds.

Values are stored as these stable ASCII codes; labels are translated at display.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

OCOP_GROUPS = {
    "food": _l("Food"),
    "beverages": _l("Beverages"),
    "herbal": _l("Herbal products"),
    "textiles": _l("Textiles and garments"),
    "souvenirs": _l("Souvenirs, furniture and decoration"),
    "tourism": _l("Rural and community tourism services and sales points"),
}

# Finer categories, each inside one OCOP group.
CATEGORIES = {
    "tea": ("beverages", _l("Tea")),
    "coffee": ("beverages", _l("Coffee")),
    "wine_spirits": ("beverages", _l("Wine and spirits")),
    "juice": ("beverages", _l("Juices and soft drinks")),
    "seafood": ("food", _l("Seafood")),
    "fresh_fruit": ("food", _l("Fresh fruit")),
    "dried_fruit": ("food", _l("Dried fruit and nuts")),
    "rice_noodles": ("food", _l("Rice, vermicelli and noodles")),
    "meat_products": ("food", _l("Meat products and sausages")),
    "honey": ("food", _l("Honey")),
    "confectionery": ("food", _l("Cakes and confectionery")),
    "sauces_spices": ("food", _l("Sauces, spices and condiments")),
    "vegetables": ("food", _l("Vegetables and mushrooms")),
    "desserts": ("food", _l("Jellies and desserts")),
    "herbal_medicine": ("herbal", _l("Herbal medicine")),
    "essential_oils": ("herbal", _l("Essential oils and cosmetics")),
    "medicinal_wine": ("herbal", _l("Medicinal tea and wine")),
    "textiles": ("textiles", _l("Fabrics and brocade")),
    "garments": ("textiles", _l("Garments and accessories")),
    "handicrafts": ("souvenirs", _l("Handicrafts")),
    "furniture": ("souvenirs", _l("Furniture and decoration")),
    "tourism": ("tourism", _l("Community tourism and sales points")),
}

STANDARDS = {
    "vietgap": _l("VietGAP"),
    "globalgap": _l("GlobalGAP"),
    "organic": _l("Organic"),
    "haccp": _l("HACCP"),
    "iso22000": _l("ISO 22000"),
    "iso9001": _l("ISO 9001"),
}

PRODUCER_KINDS = {
    "cooperative": _l("Cooperative"),
    "household": _l("Household business"),
    "enterprise": _l("Enterprise"),
}

BUYER_TYPES = {
    "supermarket": _l("Supermarket"),
    "hotel": _l("Hotel"),
    "restaurant": _l("Restaurant"),
    "canteen": _l("Collective canteen"),
    "school_kitchen": _l("School kitchen"),
    "distributor": _l("Distributor"),
    "exporter": _l("Exporter"),
    "souvenir_shop": _l("Souvenir shop"),
    "airline_catering": _l("Airline catering"),
    "other": _l("Other"),
}

UNITS = {
    "kg": _l("kg"),
    "tonne": _l("tonnes"),
    "litre": _l("litres"),
    "bottle": _l("bottles"),
    "box": _l("boxes"),
    "pack": _l("packs"),
    "piece": _l("pieces"),
    "set": _l("sets"),
    "guest": _l("guests"),
}

# Conversion of quantities to a common base so supply and demand compare.
UNIT_BASE = {"kg": ("kg", 1.0), "tonne": ("kg", 1000.0)}

CERTIFIED_MIN_STARS = 3
CERTIFICATE_VALID_MONTHS = 36


def category_group(category: str) -> str | None:
    entry = CATEGORIES.get(category)
    return entry[0] if entry else None


def choices(mapping: dict) -> list[tuple[str, str]]:
    """(code, label) pairs for a select field; labels stay lazy until rendered."""
    return [(code, label if not isinstance(label, tuple) else label[1]) for code, label in mapping.items()]


def label(mapping: dict, code: str | None) -> str:
    value = mapping.get(code or "")
    if value is None:
        return code or ""
    return str(value[1] if isinstance(value, tuple) else value)

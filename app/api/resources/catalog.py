"""The public catalogue: certified OCOP products (filtered, sorted, paged), a product with its
OCOP facts and certificate status, and organisations (producers for anyone, buyers for users)."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask.views import MethodView

from app.api import rest
from app.api.resources.common import NamesSchema, PageArgs, names, page_schema, paged
from app.catalog import services
from app.catalog.models import Organisation, Product
from app.data.provinces import CURRENT_OF, current_code
from app.data.vocab import CATEGORIES, OCOP_GROUPS, STANDARDS
from app.extensions import db

blp = rest.Blueprint(
    "api_catalogue", __name__, description="The public catalogue of OCOP products and their producers."
)


class ProductListArgs(PageArgs):
    q = ma.fields.String(
        validate=ma.validate.Length(max=200), metadata={"description": "Words in vi, en or fr"}
    )
    group = ma.fields.String(validate=ma.validate.OneOf(list(OCOP_GROUPS)))
    category = ma.fields.String(validate=ma.validate.OneOf(list(CATEGORIES)))
    province = ma.fields.String(validate=ma.validate.OneOf(sorted(CURRENT_OF)))
    min_stars = ma.fields.Integer(validate=ma.validate.OneOf([3, 4, 5]))
    standard = ma.fields.String(validate=ma.validate.OneOf(list(STANDARDS)))
    sort = ma.fields.String(
        load_default="stars",
        validate=ma.validate.OneOf(list(services.SORTS)),
        metadata={"description": "stars (most first), name, newest or price (lowest first)"},
    )


class CertificateSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "missing, pending, verified or rejected"})
    number = ma.fields.String(allow_none=True)
    level = ma.fields.String(allow_none=True)
    date = ma.fields.Date()
    expiry = ma.fields.Date()
    valid_today = ma.fields.Boolean(metadata={"description": "Verified, 3+ stars and not expired"})


class ProducerRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    province_code = ma.fields.String()


class ProductSchema(ma.Schema):
    id = ma.fields.Integer()
    producer = ma.fields.Nested(ProducerRefSchema)
    name = ma.fields.Nested(NamesSchema)
    description = ma.fields.Nested(NamesSchema)
    ocop_group = ma.fields.String()
    category = ma.fields.String()
    stars = ma.fields.Integer()
    standards = ma.fields.List(ma.fields.String())
    certificate = ma.fields.Nested(CertificateSchema)
    price_min = ma.fields.Integer(allow_none=True, metadata={"description": "VND"})
    price_max = ma.fields.Integer(allow_none=True, metadata={"description": "VND"})
    price_unit = ma.fields.String(allow_none=True)
    capacity_per_month = ma.fields.Float(allow_none=True)
    capacity_unit = ma.fields.String(allow_none=True)
    gtin = ma.fields.String(allow_none=True)
    traceability_code = ma.fields.String(allow_none=True)


ProductPageSchema = page_schema(ProductSchema, "ProductPage")


class ContactSchema(ma.Schema):
    contact_name = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)


class OrganisationSchema(ma.Schema):
    id = ma.fields.Integer()
    role = ma.fields.String()
    name = ma.fields.String()
    producer_kind = ma.fields.String(allow_none=True)
    buyer_type = ma.fields.String(allow_none=True)
    province_code = ma.fields.String()
    commune = ma.fields.String(allow_none=True)
    website = ma.fields.String(allow_none=True)
    description = ma.fields.String(allow_none=True)
    contacts = ma.fields.Nested(
        ContactSchema,
        allow_none=True,
        metadata={"description": "Only for organisers and the organisation's users"},
    )
    product_ids = ma.fields.List(ma.fields.Integer())


def product_dict(product: Product) -> dict:
    today = services.today()
    producer = product.organisation
    return {
        "id": product.id,
        "producer": {"id": producer.id, "name": producer.name, "province_code": producer.province_code},
        "name": names(product),
        "description": names(product, "description"),
        "ocop_group": product.ocop_group,
        "category": product.category,
        "stars": product.stars,
        "standards": product.standards,
        "certificate": {
            "status": product.certificate_status,
            "number": product.certificate_number,
            "level": product.certificate_level,
            "date": product.certificate_date,
            "expiry": product.certificate_expiry,
            "valid_today": product.is_certified(today),
        },
        "price_min": product.price_min,
        "price_max": product.price_max,
        "price_unit": product.price_unit,
        "capacity_per_month": float(product.capacity_per_month)
        if product.capacity_per_month is not None
        else None,
        "capacity_unit": product.capacity_unit,
        "gtin": product.gtin,
        "traceability_code": product.traceability_code,
    }


@blp.route("/products")
class Products(MethodView):
    @blp.etag
    @blp.arguments(ProductListArgs, location="query", as_kwargs=False)
    @blp.response(200, ProductPageSchema)
    def get(self, args):
        """Certified products (3+ stars, a verified certificate valid today), as the catalogue page."""
        filters = services.ProductFilters(
            text=(args.get("q") or "").strip() or None,
            group=args.get("group"),
            category=args.get("category"),
            province=current_code(args.get("province")),
            min_stars=args.get("min_stars"),
            standard=args.get("standard"),
            sort=args["sort"],
        )
        return paged(services.catalogue_query(filters, locale=g.locale), args, product_dict)


@blp.route("/products/<int:product_id>")
class ProductDetail(MethodView):
    @blp.etag
    @blp.response(200, ProductSchema)
    def get(self, product_id: int):
        """A product, certified or not (its certificate says which), as its public page."""
        product = db.session.get(Product, product_id)
        if product is None:
            rest.abort(404)
        return product_dict(product)


@blp.route("/organisations/<int:organisation_id>")
class OrganisationDetail(MethodView):
    @blp.etag
    @blp.response(200, OrganisationSchema)
    def get(self, organisation_id: int):
        """A producer (anyone) or a buyer (users only); contacts for organisers and its own users."""
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            rest.abort(404)
        user = rest.actor()
        if not services.can_see_organisation(user, organisation):
            rest.require_user()
        contacts = None
        if services.can_see_contacts(user, organisation):
            contacts = {
                "contact_name": organisation.contact_name,
                "phone": organisation.phone,
                "email": organisation.email,
                "address": organisation.address,
            }
        return {
            "id": organisation.id,
            "role": organisation.role,
            "name": organisation.name,
            "producer_kind": organisation.producer_kind,
            "buyer_type": organisation.buyer_type,
            "province_code": organisation.province_code,
            "commune": organisation.commune,
            "website": organisation.website,
            "description": organisation.description,
            "contacts": contacts,
            "product_ids": [p.id for p in services.products_of(organisation)]
            if organisation.is_producer
            else [],
        }

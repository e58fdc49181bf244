"""Catalogue: producer and buyer organisations, OCOP products, buyer demand, import."""

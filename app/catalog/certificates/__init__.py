"""OCOP certificates: producers upload them, organisers verify them."""

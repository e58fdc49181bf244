"""The demo data set: a deterministic catalogue, then a demo fair built on it (`flask demo ...`)."""

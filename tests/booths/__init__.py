"""Booths: floor plans, booking, allocation, electronic booths."""

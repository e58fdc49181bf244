"""Booths: booth types, floor plans, booking, allocation, electronic booths, QR codes."""

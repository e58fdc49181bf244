"""Printable badges: every approved participant's card with a signed QR code."""

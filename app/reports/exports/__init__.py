"""Exports of an event's records (CSV and XLSX), small ones in the request, large ones as jobs."""

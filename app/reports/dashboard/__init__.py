"""The event dashboard: an event's figures by SQL GROUP BY, as tables (exported as CSV/XLSX),
charts and a printable A4 report, for the event's organisers and admins."""

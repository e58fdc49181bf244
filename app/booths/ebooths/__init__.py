"""Electronic booths: pages, the online catalogue, visits, QR codes and printable booth signs."""

"""Import of producers and products from the CSV/XLSX files provinces keep: read, check, plan, write."""

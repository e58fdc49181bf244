"""The programme dashboard across events (/manage/programme): figures per kind of event, per
province and per quarter, the organisations that took part and signed most, their CSV/XLSX
files and the province's yearly report workbook."""

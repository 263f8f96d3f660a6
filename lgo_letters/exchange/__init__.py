"""A year's figures in and out as spreadsheets: the year's table (`export`, `publish`) and
`import` of figures and contacts from CSV and XLSX files."""

"""Spreadsheets as cells, below every package that reads them: the reader (CSV and XLSX,
bounded and located), their problems, formula guarding, and what a cell's text means
(cleaned text, header keys, the one header-row detector). `import` and `export`
(lgo_letters.exchange) and the official councils list (lgo_letters.completeness) read
spreadsheets through these."""

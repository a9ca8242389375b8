"""Reusable test helpers: LibreOffice recalculation and UNO filling, workbook look-ups."""

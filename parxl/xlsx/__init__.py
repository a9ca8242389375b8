"""Reading spreadsheet files safely: file-kind identification and limits (safety), the zip
container (container), the streaming sheet parser and cell types (sheet), .ods conversion.

May import: parxl.core. Never a later stage (see parxl/__init__.py for the order).
"""

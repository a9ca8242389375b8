"""parxl: the yearly Administrative Reform Index (Chỉ số CCHC) campaign, run through Excel."""

__version__ = "0.1.0"

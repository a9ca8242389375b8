"""Low-level helpers every stage may use: errors, the one atomic writer (files), worker pools that Ctrl+C stops and one build in a forked process (workers), the one zip stamper (zipparts), text normalisation
(texts), time stamps (times), the progress callback (progress), Decimal and Vietnamese numbers (numbers), bundled resources, and the findings registry
(the single error currency). They live in one folder rather than at the top of parxl/ so that
the top level shows only the stages.

May import: the standard library and third-party libraries only; nothing else from parxl. Never
a later stage (see parxl/__init__.py for the order).
"""

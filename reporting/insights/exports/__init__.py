"""Dashboard tables as CSV or Excel.

- ``tables``: the tables (``TABLES``), each built from the same ``reporting.insights.dashboards``
  selectors as the pages, so a download equals what the page shows;
- ``cells``: their headers and cells (numbers stay numbers, rates as percentages with one
  decimal, e.g. 75.0; choices are their translated labels next to their codes where a code
  helps; headers are translated);
- ``services``: checking a request, building the file, and the background jobs: small tables
  download at once; the raw report entries (and any table over ``DIRECT_ROW_LIMIT`` rows) become
  an ``ExportJob`` run by Celery, which checks the requesting user's scope again when it runs.
"""

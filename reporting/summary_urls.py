"""Summary pages under /dashboards/ (filled in by the summary views)."""

urlpatterns: list = []

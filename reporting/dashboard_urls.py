"""Dashboard pages under /dashboards/ (filled in by the dashboard views)."""

urlpatterns: list = []

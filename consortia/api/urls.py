"""Consortia and implementation plans under /api/v1/ (see consortia/api/views.py)."""

urlpatterns = []

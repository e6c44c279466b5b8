"""The evaluation under /api/v1/."""

from django.urls import path

from reporting.evaluation.api import views

urlpatterns = [
    path("evaluations/", views.EvaluationListView.as_view(), name="api-evaluations"),
    path("evaluations/ranking/", views.RankingView.as_view(), name="api-evaluation-ranking"),
    path(
        "evaluations/ranking/export/",
        views.RankingExportView.as_view(),
        name="api-evaluation-ranking-export",
    ),
    path(
        "evaluations/schemes/<slug:program>/",
        views.SchemeView.as_view(),
        name="api-evaluation-scheme",
    ),
    path("evaluations/<int:pk>/", views.EvaluationDetailView.as_view(), name="api-evaluation"),
    path(
        "evaluations/<int:pk>/scorecard/",
        views.ScorecardView.as_view(),
        name="api-evaluation-scorecard",
    ),
    path(
        "evaluations/<int:pk>/moderation/",
        views.ModerationView.as_view(),
        name="api-evaluation-moderation",
    ),
    path(
        "evaluations/<int:pk>/cases/",
        views.EvaluationCasesView.as_view(),
        name="api-evaluation-cases",
    ),
    path(
        "evaluations/<int:pk>/<slug:action>/",
        views.EvaluationActionView.as_view(),
        name="api-evaluation-action",
    ),
]

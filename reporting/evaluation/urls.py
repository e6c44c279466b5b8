"""``/evaluations/`` (app namespace ``evaluation``): the Ministry's evaluation of the consortia."""

from django.urls import path

from reporting.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.EvaluationListView.as_view(), name="evaluation-list"),
    path("ranking/", views.RankingView.as_view(), name="evaluation-ranking"),
    path(
        "start/<int:consortium_pk>/", views.EvaluationStartView.as_view(), name="evaluation-start"
    ),
    path("<int:pk>/", views.EvaluationDetailView.as_view(), name="evaluation-detail"),
    path("<int:pk>/score/", views.ScorecardView.as_view(), name="evaluation-score"),
    path("<int:pk>/moderate/", views.ModerationView.as_view(), name="evaluation-moderate"),
    path("<int:pk>/cases/", views.CaseSelectionView.as_view(), name="evaluation-cases"),
    path(
        "<int:pk>/action/<slug:action>/",
        views.EvaluationActionView.as_view(),
        name="evaluation-action",
    ),
]

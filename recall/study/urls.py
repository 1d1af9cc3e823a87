from django.urls import path

from . import views

app_name = "study"

urlpatterns = [
    path("", views.study_home, name="home"),
    path("review/", views.review, name="review"),
    path("review/<int:item_id>/", views.review_answer_view, name="answer"),
    path("settings/", views.study_settings, name="settings"),
    path("stats/", views.study_stats_view, name="stats"),
    path("resources/<slug:slug>/", views.study_add, name="add"),
    path("resources/<slug:slug>/remove/", views.study_remove, name="remove"),
]

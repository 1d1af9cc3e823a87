from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("resources/<slug:slug>/check/", views.resource_check, name="check"),
    path("resources/<slug:slug>/check/ignore/", views.finding_ignore_view, name="ignore"),
    path("resources/<slug:slug>/check/unignore/", views.finding_unignore_view, name="unignore"),
]

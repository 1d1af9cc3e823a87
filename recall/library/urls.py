from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.home, name="home"),
    path("subjects/<slug:subject_slug>/", views.subject_detail, name="subject"),
    path("subjects/<slug:subject_slug>/<slug:topic_slug>/", views.topic_detail, name="topic"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/preview/", views.card_preview, name="card_preview"),
    path("resources/<slug:slug>/", views.resource_detail, name="resource"),
    path("resources/<slug:slug>/all/", views.resource_all_cards, name="resource_all_cards"),
    path("resources/<slug:slug>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<slug:slug>/delete/", views.resource_delete_view, name="resource_delete"),
    path("resources/<slug:slug>/history/", views.resource_history, name="resource_history"),
    path(
        "resources/<slug:slug>/history/compare/",
        views.resource_compare,
        name="resource_compare",
    ),
    path(
        "resources/<slug:slug>/history/<int:number>/restore/",
        views.resource_restore_view,
        name="resource_restore",
    ),
]

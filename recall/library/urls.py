from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.home, name="home"),
    path("subjects/<slug:subject_slug>/", views.subject_detail, name="subject"),
    path("subjects/<slug:subject_slug>/<slug:topic_slug>/", views.topic_detail, name="topic"),
    path("resources/<slug:slug>/", views.resource_detail, name="resource"),
    path("resources/<slug:slug>/all/", views.resource_all_cards, name="resource_all_cards"),
]

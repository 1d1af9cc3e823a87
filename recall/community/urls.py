from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("moderation/", views.moderation_queue, name="moderation"),
]

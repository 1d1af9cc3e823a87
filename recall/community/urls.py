from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("resources/<slug:slug>/comments/", views.comment_create, name="comment_create"),
    path("resources/<slug:slug>/rating/", views.resource_rate, name="rate"),
    path("resources/<slug:slug>/report/", views.report_resource, name="report_resource"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/report/", views.report_comment, name="report_comment"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/resources/<slug:slug>/hide/", views.resource_hide, name="resource_hide"),
    path(
        "moderation/resources/<slug:slug>/restore/",
        views.resource_restore,
        name="resource_restore",
    ),
    path("moderation/comments/<int:pk>/hide/", views.comment_hide, name="comment_hide"),
    path("moderation/comments/<int:pk>/restore/", views.comment_restore, name="comment_restore"),
    path("moderation/reports/<int:pk>/resolve/", views.report_resolve, name="report_resolve"),
    path("moderation/subjects/<int:pk>/approve/", views.subject_approve, name="subject_approve"),
    path("moderation/subjects/<int:pk>/reject/", views.subject_reject, name="subject_reject"),
    path("moderation/topics/<int:pk>/approve/", views.topic_approve, name="topic_approve"),
    path("moderation/topics/<int:pk>/reject/", views.topic_reject, name="topic_reject"),
]

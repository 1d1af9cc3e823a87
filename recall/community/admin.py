"""Comments, ratings and reports are read here; moderators act in the moderation queue,
so that every change goes through actions.py and leaves an audit row."""

from django.contrib import admin

from .models import Comment, ModerationAction, Rating, Report


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "is_hidden"]
    list_filter = ["is_hidden", "created_at"]
    search_fields = ["body", "author__username", "resource__title"]
    list_select_related = ["author", "resource"]
    raw_id_fields = ["resource", "author", "parent"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["resource", "user", "stars", "updated_at"]
    list_filter = ["stars"]
    search_fields = ["resource__title", "user__username"]
    list_select_related = ["resource", "user"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "resolved_at", "resolved_by"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["reason", "reporter__username"]
    list_select_related = ["reporter", "resource", "comment__author", "comment__resource"]


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "moderator", "kind", "target_type", "target_label"]
    list_filter = ["kind", "target_type"]
    search_fields = ["target_label", "note", "moderator__username"]
    list_select_related = ["moderator"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the audit trail is kept

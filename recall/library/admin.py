from django.contrib import admin

from .actions import subject_save, topic_save
from .models import Card, Resource, Subject, Topic


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change) -> None:
        subject_save(obj)  # a rename moves its study items (their Anki notes)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "slug"]
    list_filter = ["subject"]
    search_fields = ["name"]
    list_select_related = ["subject"]

    def save_model(self, request, obj, form, change) -> None:
        topic_save(obj)


class CardInline(admin.StackedInline):
    # Read-only: card HTML is rendered and sanitised by the library's actions on save,
    # which an admin inline edit would bypass.
    model = Card
    fields = readonly_fields = ["position", "heading", "body"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "subject", "topic", "level", "author", "created_at", "view_count"]
    list_filter = ["subject", "level", "kind"]
    search_fields = ["title"]
    list_select_related = ["subject", "topic", "author"]
    readonly_fields = ["view_count", "import_key", "created_at", "updated_at"]
    inlines = [CardInline]

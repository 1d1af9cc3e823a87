from django.contrib import admin

from .models import IgnoredFinding


@admin.register(IgnoredFinding)
class IgnoredFindingAdmin(admin.ModelAdmin):
    list_display = ("text", "kind", "resource", "ignored_by", "ignored_at")
    list_select_related = ("resource", "ignored_by")
    raw_id_fields = ("resource", "ignored_by")
    search_fields = ("text", "resource__title")

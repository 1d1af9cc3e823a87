from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("recall.api.urls")),
    path("", include("recall.operations.urls")),
    path("", include("recall.accounts.urls")),
    path("", include("recall.community.urls")),
    path("", include("recall.quality.urls")),
    path("", include("recall.search.urls")),
    path("study/", include("recall.study.urls")),
    path("", include("recall.library.urls")),
]

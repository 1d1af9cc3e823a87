from django.contrib import admin
from django.urls import include, path

# The order is for speed only: no two includes answer the same path (their prefixes and
# routes differ), so the busiest paths come first (a review answer, the API, the library's
# pages) and resolve without trying the other apps' patterns first.
urlpatterns = [
    path("study/", include("recall.study.urls")),
    path("api/", include("recall.api.urls")),
    path("", include("recall.library.urls")),
    path("admin/", admin.site.urls),
    path("", include("recall.operations.urls")),
    path("", include("recall.accounts.urls")),
    path("", include("recall.community.urls")),
    path("", include("recall.quality.urls")),
    path("", include("recall.search.urls")),
]

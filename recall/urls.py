from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("recall.accounts.urls")),
    path("", include("recall.community.urls")),
    path("", include("recall.library.urls")),
]

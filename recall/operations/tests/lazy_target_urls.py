"""A URL module that test_lazy_urls includes lazily (imported only when needed)."""

from django.http import HttpResponse
from django.urls import path


def hello(request, number):
    return HttpResponse(f"hello {number}")


urlpatterns = [path("hello/<int:number>/", hello, name="hello")]

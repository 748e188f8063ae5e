"""URLs of the ACP app; the host mounts them under its base path (e.g. ``api/``)."""

from django.urls import path

from . import views

app_name = "acp"

urlpatterns = [
    path("manage", views.manage, name="manage"),
]

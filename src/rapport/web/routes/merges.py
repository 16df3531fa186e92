from django.urls import path

from rapport.web.views import merges

urlpatterns = [
    path("merges/<int:pk>/undo/", merges.merge_undo, name="merge-undo"),
]

from django.urls import path

from rapport.web.views.home import placeholder

urlpatterns = [
    path("tasks/", placeholder, name="task-list"),
]

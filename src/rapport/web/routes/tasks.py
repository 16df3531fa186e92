from django.urls import path

from rapport.web.views import tasks

urlpatterns = [
    path("tasks/", tasks.task_list, name="task-list"),
    path("tasks/new/", tasks.task_create_view, name="task-create"),
    path("tasks/customers/", tasks.task_customer_search, name="task-customer-search"),
    path("tasks/<int:pk>/complete/", tasks.task_complete_view, name="task-complete"),
    path("tasks/<int:pk>/reopen/", tasks.task_reopen_view, name="task-reopen"),
]

from django.urls import path

from rapport.web.views.customer360 import actions, page, panels, profile

urlpatterns = [
    path("customers/<int:pk>/", page.customer_detail, name="customer-detail"),
    path("customers/<int:pk>/timeline/", page.customer_timeline, name="customer-timeline"),
    path("customers/<int:pk>/profile/", profile.profile, name="customer-profile"),
    path("customers/<int:pk>/profile/edit/", profile.profile_edit, name="customer-profile-edit"),
    path("customers/<int:pk>/contact-points/", profile.contact_point_create, name="customer-contact-point-add"),
    path(
        "customers/<int:pk>/contact-points/<int:point_pk>/remove/", profile.contact_point_delete,
        name="customer-contact-point-remove",
    ),
    path("customers/<int:pk>/tags/", profile.tag_add, name="customer-tag-add"),
    path("customers/<int:pk>/tags/<int:tag_pk>/remove/", profile.tag_remove, name="customer-tag-remove"),
    path("customers/<int:pk>/interactions/", actions.log_interaction, name="customer-log-interaction"),
    path("customers/<int:pk>/notes/", actions.add_note, name="customer-add-note"),
    path("customers/<int:pk>/tasks/", actions.create_task, name="customer-create-task"),
    path("customers/<int:pk>/orders/", panels.orders, name="customer-orders"),
    path("customers/<int:pk>/contacts/", panels.contacts, name="customer-contacts"),
    path("customers/<int:pk>/contacts/<int:contact_pk>/", panels.contact_row, name="customer-contact"),
    path("customers/<int:pk>/contacts/<int:contact_pk>/edit/", panels.contact_edit, name="customer-contact-edit"),
    path(
        "customers/<int:pk>/contacts/<int:contact_pk>/delete/", panels.contact_remove,
        name="customer-contact-delete",
    ),
    path("customers/<int:pk>/consents/", panels.consents, name="customer-consents"),
]

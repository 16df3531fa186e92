from django.contrib.auth import views as auth_views
from django.urls import path

from rapport.web.views import home, me

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", home.healthz, name="healthz"),
    path("", home.home, name="home"),
    path("me/", me.profile, name="profile"),
    path("palette/", me.palette, name="palette"),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from storage import views

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("storage/", views.my_storage, name="my-storage"),
]

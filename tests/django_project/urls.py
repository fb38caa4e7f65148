"""The site's URLs."""

from django.contrib import admin
from django.urls import include, path
from shipping import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("companies/<str:company_id>/shipments", views.book),
    path("companies/<str:company_id>/board", views.board),
    path("api/companies/<str:company_id>/members", views.Members.as_view()),
    path("broken", views.broken),
    path("api/broken", views.Broken.as_view()),
    path("scim/v2/", include("teamaccess.contrib.django.scim")),
]

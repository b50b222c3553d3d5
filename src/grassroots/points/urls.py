from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("", views.me, name="me"),
    path("statement.xlsx", views.me_xlsx, name="me_xlsx"),
    path("store/", views.store, name="store"),
    path("offers/<int:pk>/redeem/", views.offer_redeem, name="redeem"),
    path("codes/<int:pk>/", views.code, name="code"),
    path("merchant/", views.merchants, name="merchants"),
    path("merchant/<int:pk>/", views.merchant, name="merchant"),
    path("merchant/<int:pk>/redemptions.xlsx", views.merchant_xlsx, name="merchant_xlsx"),
    path("merchant/<int:pk>/offers/new/", views.offer_edit, name="offer_new"),
    path("merchant/<int:pk>/offers/<int:offer>/", views.offer_edit, name="offer_edit"),
    path("community/", views.communities, name="communities"),
    path("community/<str:code>/", views.community, name="community"),
    path("community/<str:code>/books.xlsx", views.community_xlsx, name="community_xlsx"),
    path("review/", views.review, name="review"),
]

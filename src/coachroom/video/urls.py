from django.urls import path

from coachroom.video import views

app_name = "video"

urlpatterns = [
    path("", views.my_clips, name="mine"),
    path("upload/", views.upload_clip, name="upload"),
    path("coach-uploads/", views.consent, name="consent"),
    path("settings/", views.school_settings, name="settings"),
    path("<int:pk>/", views.clip_detail, name="clip"),
    path("<int:pk>/upload/", views.chunks, name="chunks"),
    path("<int:pk>/status/", views.clip_status, name="status"),
    path("<int:pk>/clip.mp4", views.clip_video, name="video"),
    path("<int:pk>/poster.jpg", views.clip_poster, name="poster"),
    path("<int:pk>/comments/", views.comment_add, name="comment"),
    path("<int:pk>/comments.vtt", views.comment_track, name="comment-track"),
    path("<int:pk>/sharing/coach/", views.share_coach, name="share-coach"),
    path("<int:pk>/sharing/", views.share_add, name="share"),
    path("<int:pk>/sharing/<int:share_pk>/revoke/", views.share_revoke, name="share-revoke"),
    path("<int:pk>/keep/", views.keep, name="keep"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]

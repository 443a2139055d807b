from django.apps import AppConfig


class VideoConfig(AppConfig):
    name = "coachroom.video"
    label = "video"
    verbose_name = "Lesson video"

    def ready(self) -> None:
        from coachroom.core import jobs
        from coachroom.video import tasks

        jobs.register(tasks.video_jobs)

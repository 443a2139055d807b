from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "coachroom.audit"
    verbose_name = "Audit trail"

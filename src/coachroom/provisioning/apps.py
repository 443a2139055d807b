from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "coachroom.provisioning"
    label = "provisioning"
    verbose_name = "Staff provisioning (SCIM)"

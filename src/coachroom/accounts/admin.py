from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from coachroom.accounts.models import (
    AcademicYear,
    Closure,
    CoachingRelationship,
    Membership,
    School,
    Term,
    Trust,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (None, {"fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )
    list_filter = ("is_active", "is_staff")
    filter_horizontal = ()


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "urn", "phase", "trust")
    search_fields = ("name", "urn")


admin.site.register(Trust)
admin.site.register(AcademicYear)
admin.site.register(Term)
admin.site.register(Closure)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "school", "role_labels", "is_active")
    list_filter = ("school", "is_active", "is_coach", "is_coaching_lead")
    raw_id_fields = ("user",)


@admin.register(CoachingRelationship)
class CoachingRelationshipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("coach", "coachee", "school", "kind", "ended_on")
    list_filter = ("school", "kind")
    raw_id_fields = ("coach", "coachee")

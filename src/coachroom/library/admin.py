from django.contrib import admin

from coachroom.library.models import LibraryStep, Problem, Strand, SubStrand


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("slug", "steplab_label", "kennedy_label")


class SubStrandInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SubStrand
    extra = 0


@admin.register(Strand)
class StrandAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "order", "ittecf_sections")
    inlines = (SubStrandInline,)


@admin.register(LibraryStep)
class LibraryStepAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "strand", "phase", "school", "trust", "version", "is_archived")
    list_filter = ("strand", "phase", "is_archived", "school", "trust")
    search_fields = ("title", "key", "looks_like")
    raw_id_fields = ("copied_from", "created_by")
    filter_horizontal = ("problems", "hidden_by")
    list_select_related = ("strand", "school", "trust")

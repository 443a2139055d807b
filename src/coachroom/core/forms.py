"""Form rendering: one field template and one form template, in the GOV.UK error style."""

from django.forms.renderers import TemplatesSetting


class CoachroomFormRenderer(TemplatesSetting):
    form_template_name = "components/form.html"
    field_template_name = "components/field.html"

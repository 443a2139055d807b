from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_data_protection_lead"),
    ]

    operations = [
        migrations.AddField(
            model_name="school",
            name="streak_allows_same_day",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Off: drop-ins that secure a step must be on different school days. On: two "
                    "different lessons on one day can both count. The same lesson never counts "
                    "twice."
                ),
                verbose_name="Count two different lessons on the same day",
            ),
        ),
    ]

# The state half of opportunities.0004: the table (already renamed there) now
# belongs to people. Content type and permissions follow the model.
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_type_follows(apps, schema_editor, *, old: str, new: str):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="logincode").exists():
        ContentType.objects.filter(app_label=old, model="logincode").update(app_label=new)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("people", "0001_initial"),
        ("opportunities", "0004_logincode_moves_to_people"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LoginCode",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code_hash", models.CharField(max_length=64, unique=True, verbose_name="コードのハッシュ")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="発行日時")),
                        ("expires_at", models.DateTimeField(verbose_name="有効期限")),
                        ("used_at", models.DateTimeField(blank=True, null=True, verbose_name="使用日時")),
                        ("created_by", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="発行した人")),
                        ("participant", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="login_codes", to="people.participantprofile", verbose_name="参加者")),
                    ],
                    options={
                        "verbose_name": "初回ログインコード",
                        "verbose_name_plural": "初回ログインコード",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("created_at__lt", models.F("expires_at"))),
                                name="opportunities_logincode_expires_after_created",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RemoveConstraint(model_name="logincode", name="opportunities_logincode_expires_after_created"),
        migrations.AddConstraint(
            model_name="logincode",
            constraint=models.CheckConstraint(
                condition=models.Q(("created_at__lt", models.F("expires_at"))),
                name="people_logincode_expires_after_created",
            ),
        ),
        migrations.RunPython(
            lambda apps, editor: content_type_follows(apps, editor, old="opportunities", new="people"),
            lambda apps, editor: content_type_follows(apps, editor, old="people", new="opportunities"),
        ),
    ]

# Hand-written (makemigrations would also pick up other pending model edits in
# the shared tree): each partner can turn off the emails to its staff.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0004_logincode_moves_to_people"),
    ]

    operations = [
        migrations.AddField(
            model_name="partner",
            name="notify_staff",
            field=models.BooleanField(
                default=True,
                verbose_name="申込・キャンセル・繰り上げをスタッフにメールで知らせる",
            ),
        ),
    ]

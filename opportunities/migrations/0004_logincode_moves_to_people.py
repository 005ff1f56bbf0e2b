# LoginCode belongs to people (first login is an account matter); the table is
# renamed and the model's state moves to people.0002 with its rows untouched.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("opportunities", "0003_calendarfeed_notificationlog_logincode"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="logincode", table="people_logincode"),
            ],
            state_operations=[migrations.DeleteModel(name="LoginCode")],
        ),
    ]

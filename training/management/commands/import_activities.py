from core.import_command import ImportCommand


class Command(ImportCommand):
    help = "活動実績（居場所・子ども食堂・フードバンク・クールステーション）を取り込む"
    importer_name = "activities"

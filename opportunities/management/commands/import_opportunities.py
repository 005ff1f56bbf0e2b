from core.import_command import ImportCommand


class Command(ImportCommand):
    help = "活動を表計算ファイルから取り込む"
    importer_name = "opportunities"

from core.import_command import ImportCommand


class Command(ImportCommand):
    help = "参加者を表計算ファイルから取り込む"
    importer_name = "participants"

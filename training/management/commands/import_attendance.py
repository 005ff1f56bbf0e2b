from core.import_command import ImportCommand


class Command(ImportCommand):
    help = "出欠表を取り込む（開催回がなければ作成）"
    importer_name = "attendance"

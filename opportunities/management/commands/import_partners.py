from core.import_command import ImportCommand


class Command(ImportCommand):
    help = "協力機関を表計算ファイルから取り込む"
    importer_name = "partners"

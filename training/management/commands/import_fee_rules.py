from core.import_command import ImportCommand


class Command(ImportCommand):
    help = "謝金ルールを取り込む"
    importer_name = "fee_rules"

"""`jiqun chains list|show|gaps|import|export`: see jiqun.chains.cli."""

from django.core.management.base import BaseCommand, CommandParser

from jiqun.chains import cli


class Command(BaseCommand):
    help = cli.HELP

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args, **options) -> None:
        cli.ChainsCli(self.stdout).handle(options)

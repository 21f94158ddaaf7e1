"""Load the demo province."""

import argparse
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from jiqun.core.demo import DEMO_USERS, demo_load
from jiqun.core.demo_national import NATIONAL, NATIONAL_CODE, NationalExists, NationalSize, national_generate
from jiqun.programmes.packs import PackError


class Command(BaseCommand):
    help = (
        "Load the demo province: Shandong's regions (GB/T 2260), the five programme packs with every "
        "cluster, enterprise, target and task they name, demo users for each role, and generated figures "
        "labelled 演示数据. Running it again updates in place; --reset empties the database first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--reset", action="store_true", help="delete all data first (asks unless --no-input)")
        parser.add_argument("--no-input", action="store_true", dest="no_input")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when programmes are already loaded")
        parser.add_argument("--scale", choices=["demo", "national"], default="demo",
                            help="demo: the demo province (default); national: add a generated programme of 500 "
                                 "clusters, 100,000 enterprises and 20 approved quarters (for benchmarks)")
        parser.add_argument("--force", action="store_true",
                            help="with --scale national: replace the national programme if it is already loaded")
        # Smaller national programmes, to try the generator out (the national preset is 500 / 100,000 / 20).
        parser.add_argument("--clusters", type=int, default=NATIONAL.clusters, help=argparse.SUPPRESS)
        parser.add_argument("--enterprises", type=int, default=NATIONAL.enterprises, help=argparse.SUPPRESS)
        parser.add_argument("--quarters", type=int, default=NATIONAL.quarters, help=argparse.SUPPRESS)

    def handle(self, *args, reset: bool, no_input: bool, if_empty: bool, scale: str, force: bool, **options) -> None:
        from jiqun.programmes.models import Programme

        if scale == "national":
            self._national(NationalSize(options["clusters"], options["enterprises"], options["quarters"]), force,
                           options.get("verbosity", 1))
            return
        if if_empty and Programme.objects.exists():
            self.stdout.write(_("演示数据已存在，跳过。"))
            return
        if reset:
            if not no_input and input(_("将删除全部数据后重新载入演示省份，确定吗？[y/N] ")).strip().lower() != "y":
                raise CommandError(_("已取消"))
            call_command("flush", interactive=False, verbosity=0)
        bar = tqdm(total=10, desc=_("载入演示省份"), unit=_("步"), disable=options.get("verbosity", 1) == 0)
        def step(label: str) -> None:
            bar.set_postfix_str(label)
            bar.update(1)
        try:
            counts = demo_load(progress=step)
        except PackError as exc:
            raise CommandError(_("数据包有误，未写入任何数据：\n%(problems)s") % {"problems": exc}) from exc
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(
            _("已载入：培育工程 %(programmes)s 个，集群 %(clusters)s 个，企业 %(enterprises)s 家。") % counts
        ))
        self.stdout.write(_("演示账号（密码均为 %(password)s）：") % {"password": settings.JIQUN_DEMO_PASSWORD})
        for username, role, region, _full_name, _org in DEMO_USERS:
            second = _("  （登录后须绑定并输入动态验证码）") if role in settings.TWO_FACTOR_ROLES else ""
            self.stdout.write(f"  {username:<10} {role.label}  {region or ''}{second}")

    def _national(self, size: NationalSize, force: bool, verbosity: int) -> None:
        started = time.perf_counter()
        bar = tqdm(total=6, desc=_("生成全国规模演示工程"), unit=_("步"), disable=verbosity == 0)

        def step(label: str) -> None:
            bar.set_postfix_str(label)
            bar.update(1)
        try:
            counts = national_generate(size, force=force, progress=step)
        except NationalExists as exc:
            raise CommandError(_(
                "数据库中已有全国规模演示工程（%(code)s），未做任何改动。如需重新生成，请加 --force（将先删除该工程及其生成的"
                "集群、企业和报表）。") % {"code": NATIONAL_CODE}) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(_(
            "已生成全国规模演示工程：集群 %(clusters)s 个，企业 %(enterprises)s 家，统计报表 %(reports)s 份，"
            "汇总数 %(summaries)s 条，用时 %(seconds).1f 秒。") % {**counts, "seconds": time.perf_counter() - started}))

"""The demo's 链长: the account “lianzhang” becomes chief of the demo 工程机械 chain of Jining, and the demo
“九个一” sheets are attached to the demo chains of their names. Run after the chain demo; when the demo chains
are not there (a database without them), nothing is done."""

from jiqun.accounts.models import Role, User
from jiqun.chains.models import Chain
from jiqun.chains.services import chain_update
from jiqun.targets.demo import demo_checklists_link

CHIEF_USERNAME = "lianzhang"
CHIEF_NAME = "济宁市工程机械产业链链长（演示）"


def demo_chain(name_part: str = "工程机械", region_prefix: str = "3708") -> Chain | None:
    """The demo chain whose name holds `name_part`, run by a region under `region_prefix` (the first by code)."""
    return (Chain.objects.filter(name__contains=name_part, region__code__startswith=region_prefix)
            .order_by("region__code", "code").first())


def demo_chief_generate() -> int:
    """Set the demo 链长 on the demo 工程机械 chain (unless the chain has a chief) and link the demo sheets;
    returns how many records changed."""
    changed = 0
    chief = User.objects.filter(username=CHIEF_USERNAME, role=Role.LEADER).first()
    chain = demo_chain()
    if chief is not None and chain is not None and chain.chief_id is None:
        chain_update(actor=None, chain=chain, base_version=chain.version, chief=chief,
                     chief_name=chain.chief_name or CHIEF_NAME)
        changed += 1
    return changed + demo_checklists_link()

"""Template helpers of the 链长 pages: the “九个一” sheets of a chain, for the panel any chain page can include."""

from django import template

from jiqun.chains.chief_selectors import chain_sheets

register = template.Library()


@register.simple_tag
def chain_checklists(user, chain):
    """The checklist sheets attached to `chain` that `user` sees, each with its completeness."""
    if user is None or not user.is_authenticated or chain is None:
        return []
    return chain_sheets(user, chain)

from django import template

register = template.Library()


@register.filter
def code_groups(code: str, size: int = 4) -> str:
    """ABCDEFGHJKMN → ABCD-EFGH-JKMN: a tracking code as it is easiest to read out and copy."""
    code = str(code or "")
    return "-".join(code[i:i + size] for i in range(0, len(code), size))


@register.filter
def resident_status(status: str) -> str:
    """A case status in the words of the tracking page (已提交，等待受理 …)."""
    from grassroots.portal.selectors import RESIDENT_STATUS

    found = RESIDENT_STATUS.get(status)
    return str(found[0]) if found else status

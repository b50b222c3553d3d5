"""The deterministic demo district (张湾区 after the 2020 Zhangwan article; 长春 for benchmarks).

``grassroots load_demo`` builds it, ``grassroots stats`` counts what is there. The accounts it
creates are listed in ``DEMO_ACCOUNTS`` (all with ``DEMO_PASSWORD``).

Places, people and organisations: ``plan`` / ``people`` / ``generator`` (pure) and ``loader`` (bulk
writes). A year of cases: ``texts`` and ``local_texts`` (the templates), ``caseplan`` (pure: what
happens when, where, to whom), ``staff`` (the accounts that work them) and ``casework`` (walks each
case through the real case services, back in time).
"""

from .accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD"]

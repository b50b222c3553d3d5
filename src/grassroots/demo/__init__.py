"""The deterministic demo district (张湾区 after the 2020 Zhangwan article; 长春 for benchmarks).

``grassroots load_demo`` builds it, ``grassroots stats`` counts what is there. The accounts it
creates are listed in ``DEMO_ACCOUNTS`` (all with ``DEMO_PASSWORD``).
"""

from .accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD"]

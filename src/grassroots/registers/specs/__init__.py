"""The registers that import from and export to Excel, by key."""

from __future__ import annotations

from .areas import AreaRegister
from .base import CellError, Column, ImportContext, Register, RowInvalid
from .grid_staff import GridStaffRegister
from .party import PartyMemberRegister
from .residents import ResidentRegister
from .units import UnitRegister

REGISTERS: dict[str, type[Register]] = {
    cls.key: cls
    for cls in (AreaRegister, UnitRegister, ResidentRegister, PartyMemberRegister, GridStaffRegister)
}


def get_register(key: str) -> type[Register] | None:
    return REGISTERS.get(key)


__all__ = ["REGISTERS", "CellError", "Column", "ImportContext", "Register", "RowInvalid", "get_register"]

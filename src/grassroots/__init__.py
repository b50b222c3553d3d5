"""grassroots: Party-building-led grassroots governance (党建引领基层治理)."""

"""Branch names shared by the migration tooling of this (fictional) project."""

EXPAND_BRANCH = "expand"
CONTRACT_BRANCH = "contract"

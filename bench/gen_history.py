#!/usr/bin/env python3
"""Generate a synthetic but realistic Alembic project for benchmarking.

    python3 bench/gen_history.py --revisions 1000 --seed 42 OUT_DIR

writes

    OUT_DIR/alembic.ini                      (script_location = %(here)s/migrations)
    OUT_DIR/migrations/env.py                (reads DATABASE_URL; the benchmark never runs it)
    OUT_DIR/migrations/script.py.mako
    OUT_DIR/migrations/versions/<12-hex-id>_<slug>.py   (N revision files)

The revision graph is mostly linear.  Every ~15-25 revisions the history forks
into 2-3 feature branches of a few revisions each, which are then joined by a
merge revision (``down_revision`` is a tuple, ``upgrade()`` is empty).  The
history always ends in exactly one head.

Revision bodies are built from an evolving model of the schema:
``op.create_table`` with typed columns, foreign keys and server defaults,
``op.add_column``/``op.drop_column``, ``op.alter_column`` (nullability, type,
default, rename), ``op.create_index``/``op.drop_index`` with ``op.f()``,
``op.create_foreign_key``, unique constraints, ``op.batch_alter_table`` blocks,
``op.execute`` of SQL (data migrations, CHECK constraints, expression indexes,
views, a trigger, extensions), data migrations through ``op.get_bind()``,
enum types created by hand for ``op.add_column``, occasionally
``op.bulk_insert`` and ``op.get_context().autocommit_block()``.  Non-merge
revision files are 40-150 lines long.

The history is a consistent schema evolution, as PostgreSQL sees it: every
operation is valid against the schema built so far (tables, columns, indexes,
constraints, types and the rows of seeded tables), a new name is free, and
SQL run as written names only what exists and is never invalidated later (a
column named by a view, trigger, CHECK, expression index or seed rows is
never dropped, renamed or retyped).  Parallel feature branches change
disjoint sets of tables (see ``Gen``), so the order Alembic runs them in does
not matter.  ``alembic upgrade heads`` runs on PostgreSQL, and
``migsquash consolidate`` can replay the history.

Output is a pure function of (--revisions, --seed, --header-style): all ids,
names and Create Date strings come from ``random.Random(seed)``.  Only the
standard library is used.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass, field

# Bump when the output for a given (revisions, seed) changes; the benchmark
# runner uses it (together with this file's contents) as part of its cache key.
GENERATOR_VERSION = 2

MIN_LINES = 40
MAX_LINES = 150

# --------------------------------------------------------------------------
# vocabulary
# --------------------------------------------------------------------------

DOMAINS = [
    "billing", "catalog", "crm", "inventory", "shipping", "auth", "support",
    "analytics", "marketing", "payroll", "hr", "warehouse", "reporting",
    "content", "search", "notifications", "compliance", "partner", "pricing",
    "loyalty", "scheduling", "fleet", "procurement", "legal", "audit",
    "messaging", "identity", "storage", "tax", "reviews",
]

ENTITIES = [
    "users", "accounts", "organizations", "teams", "memberships", "roles",
    "permissions", "sessions", "api_keys", "orders", "order_items", "products",
    "product_variants", "categories", "invoices", "invoice_lines", "payments",
    "refunds", "subscriptions", "plans", "coupons", "customers", "addresses",
    "shipments", "carriers", "warehouses", "stock_levels", "suppliers",
    "purchase_orders", "tickets", "ticket_comments", "attachments", "tags",
    "taggings", "events", "webhooks", "webhook_deliveries", "audit_logs",
    "feature_flags", "settings", "documents", "document_versions", "projects",
    "tasks", "comments", "notifications", "devices", "locations", "regions",
    "currencies", "exchange_rates", "tax_rates", "reports", "dashboards",
    "campaigns", "leads", "contacts", "contracts", "employees", "timesheets",
]

ENTITY_NAMES = frozenset(ENTITIES)

# (name, kind) — kinds map to the types written by Gen.make_column.
COLUMN_WORDS = [
    ("name", "string"), ("title", "string"), ("email", "string"),
    ("slug", "string"), ("code", "string"), ("status", "enum"),
    ("kind", "enum"), ("state", "enum"), ("description", "text"),
    ("notes", "text"), ("body", "text"), ("summary", "text"),
    ("is_active", "bool"), ("is_archived", "bool"), ("is_default", "bool"),
    ("is_verified", "bool"), ("quantity", "int"), ("position", "int"),
    ("priority", "int"), ("retry_count", "int"), ("version", "int"),
    ("external_id", "string"), ("reference", "string"), ("sku", "string"),
    ("amount", "numeric"), ("price", "numeric"), ("total", "numeric"),
    ("balance", "numeric"), ("discount", "numeric"), ("weight", "float"),
    ("score", "float"), ("latitude", "float"), ("longitude", "float"),
    ("metadata", "json"), ("payload", "json"), ("settings", "json"),
    ("attributes", "json"), ("public_id", "uuid"), ("token", "uuid"),
    ("created_at", "datetime"), ("updated_at", "datetime"),
    ("deleted_at", "datetime"), ("archived_at", "datetime"),
    ("last_seen_at", "datetime"), ("expires_at", "datetime"),
    ("processed_at", "datetime"), ("starts_on", "date"), ("ends_on", "date"),
    ("due_on", "date"), ("birth_date", "date"), ("currency", "string"),
    ("locale", "string"), ("timezone", "string"), ("phone", "string"),
    ("country_code", "string"), ("ip_address", "string"), ("url", "string"),
    ("size_bytes", "bigint"), ("sequence", "bigint"), ("checksum", "string"),
]

ENUM_VALUES = {
    "status": ["pending", "active", "suspended", "cancelled", "archived"],
    "kind": ["standard", "internal", "external", "system"],
    "state": ["draft", "submitted", "approved", "rejected"],
}

EXTENSIONS = ["pg_trgm", "btree_gin", "citext", "fuzzystrmatch", "unaccent", "hstore"]


# --------------------------------------------------------------------------
# schema model
# --------------------------------------------------------------------------

# PostgreSQL truncates longer identifiers; names are kept within this limit so
# that two different names never become one.
PG_NAME_MAX = 63


@dataclass
class Column:
    name: str
    kind: str
    type_expr: str          # as written by a human / autogenerate on create
    reflected_expr: str     # as autogenerate writes it in existing_type=
    nullable: bool = True
    server_default: str | None = None
    length: int | None = None           # strings: VARCHAR(length)
    enum_name: str | None = None        # enums: the PostgreSQL type
    enum_values: tuple = ()


@dataclass
class Table:
    name: str
    columns: list = field(default_factory=list)      # list[Column]
    indexes: list = field(default_factory=list)      # list[(name, [cols], unique)]
    fks: list = field(default_factory=list)          # list[(name, col, ref_table)]
    # Columns named by SQL that Alembic runs as written and a squash carries
    # over verbatim (views, triggers, CHECK constraints, expression indexes,
    # seed rows): never dropped, renamed or retyped afterwards.
    pinned: set = field(default_factory=set)
    checks: set = field(default_factory=set)         # CHECK constraint names
    trigger: bool = False                            # has the updated_at trigger
    # Rows: only lookup tables seeded by op.bulk_insert have any.  `filled`:
    # columns non-null in every row; `distinct`: columns whose values differ
    # row to row.  Every other column is NULL in every row.
    rows: bool = False
    filled: set = field(default_factory=set)
    distinct: set = field(default_factory=set)
    # Feature branches: (group, branch) that may change the table while the
    # group is open, and the branch that created it (None: the main line).
    owner: tuple | None = None
    born: tuple | None = None

    def column(self, name):
        for c in self.columns:
            if c.name == name:
                return c
        return None

    def indexed(self):
        return {c for _, cols, _ in self.indexes for c in cols}

    def unique_columns(self):
        return {c for _, cols, unique in self.indexes if unique for c in cols}

    def alterable_columns(self):
        """Columns whose nullability and default may change."""
        return [c for c in self.columns
                if c.name != "id" and c.kind != "fk" and not c.name.endswith("_id")]

    def renamable_columns(self):
        """Columns that may be renamed or retyped: not named in kept SQL."""
        return [c for c in self.alterable_columns() if c.name not in self.pinned]

    def droppable_columns(self):
        indexed = self.indexed()
        return [c for c in self.renamable_columns() if c.name not in indexed]

    def may_set_not_null(self, c):
        return not self.rows or c.name in self.filled

    def may_be_unique(self, c):
        """A unique index or a CHECK on c holds for the rows there are."""
        return not self.rows or c.name not in self.filled or c.name in self.distinct

    def forget(self, name):
        self.filled.discard(name)
        self.distinct.discard(name)

    def renamed(self, old, new):
        for _, cols, _ in self.indexes:
            for i, col in enumerate(cols):
                if col == old:
                    cols[i] = new
        for s in (self.filled, self.distinct):
            if old in s:
                s.discard(old)
                s.add(new)


class Schema:
    """Tables in creation order (tables are never dropped)."""

    def __init__(self):
        self.tables = []

    def add(self, table):
        self.tables.append(table)


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

_slug_re = re.compile(r"\w+")


def slugify(message, limit=40):
    """Alembic's default slug: word chars joined by '_', cut at a word
    boundary within 40 chars, with a trailing '_' when cut."""
    slug = "_".join(_slug_re.findall(message)).lower()
    if len(slug) > limit:
        slug = slug[:limit].rsplit("_", 1)[0] + "_"
    return slug


def fk_column_name(table_name):
    """'billing_invoices' -> 'invoice_id', 'crm_addresses_12' -> 'address_id'."""
    word = [w for w in table_name.split("_") if not w.isdigit()][-1]
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("sses") or word.endswith("xes"):
        word = word[:-2]
    elif word.endswith("s"):
        word = word[:-1]
    return word + "_id"


def q(s):
    """Single-quoted Python literal (autogenerate style)."""
    return repr(s)


STRING_DEFAULTS = {"currency": "USD", "timezone": "UTC", "locale": "en", "country_code": "US"}

MAIN = "main"  # created on the main line (see Gen.visible)

SET_UPDATED_AT = [
    "    op.execute(",
    "        \"\"\"",
    "        CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$",
    "        BEGIN",
    "            NEW.updated_at = now();",
    "            RETURN NEW;",
    "        END;",
    "        $$ LANGUAGE plpgsql",
    "        \"\"\"",
    "    )",
]


class Gen:
    """Writes revision bodies against a model of the schema built so far.

    Every operation is valid against the model at the point it is written:
    it names only tables, columns, indexes and constraints that exist, and a
    name it creates is free.  The model is that of PostgreSQL: it also keeps
    what raw SQL depends on (`Table.pinned`) and which tables hold rows.

    Feature branches: a group of parallel branches forks from one revision
    and Alembic decides the order in which their revisions run.  While a
    group is open, each existing table belongs to at most one of its
    branches (`begin_group`), and a branch changes only the tables it owns
    and those it creates; it may reference (foreign keys) every table that
    existed at the fork and those it created.  So whatever the order, every
    branch sees the schema it was written against.
    """

    def __init__(self, rng: random.Random, header_style: str):
        self.rng = rng
        self.header_style = header_style
        self.schema = Schema()
        self.ids = set()
        self.table_pool = [f"{d}_{e}" for d in DOMAINS for e in ENTITIES]
        rng.shuffle(self.table_pool)
        self.table_pool = list(ENTITIES) + self.table_pool
        self.table_pool_pos = 0
        self.counter = 0
        self.focus = []
        self._op_tables = {}
        # relation names (tables, sequences, indexes, views) share one
        # namespace in PostgreSQL; enum types have their own
        self.relations = set()
        self.enum_types = set()
        self.group = 0          # number of the current or last branch group
        self.branch = None      # (group, branch index) while in a branch
        # where an extension / the trigger function was created: MAIN or a branch
        self.extensions = {}
        self.set_updated_at = None

    # ---------------- feature branches ------------------------------------

    def begin_group(self, branches):
        """Share the existing tables out among the branches of a new group."""
        self.group += 1
        rng = self.rng
        for t in self.schema.tables:
            # some tables stay untouched by every branch of the group
            b = rng.randrange(branches + 1)
            t.owner = (self.group, b) if b < branches else None

    def enter_branch(self, index):
        self.branch = (self.group, index)

    def end_group(self):
        self.branch = None

    def can_change(self, t):
        return self.branch is None or t.owner == self.branch

    def can_see(self, t):
        """A table the current revision may reference by foreign key."""
        if self.branch is None or t.born is None:
            return True
        return t.born[0] != self.group or t.born == self.branch

    # ---------------- ids / names -----------------------------------------

    def new_id(self):
        while True:
            rid = "%012x" % self.rng.getrandbits(48)
            if rid not in self.ids:
                self.ids.add(rid)
                return rid

    def claim(self, name):
        """Reserve a relation name; False when taken or too long."""
        if len(name) > PG_NAME_MAX or name in self.relations:
            return False
        self.relations.add(name)
        return True

    def new_table_name(self):
        while True:
            if self.table_pool_pos < len(self.table_pool):
                name = self.table_pool[self.table_pool_pos]
                self.table_pool_pos += 1
            else:
                self.counter += 1
                name = f"{self.rng.choice(DOMAINS)}_{self.rng.choice(ENTITIES)}_{self.counter}"
            if name not in self.relations and f"{name}_id_seq" not in self.relations:
                return name

    def new_enum_name(self, table_name, column_name):
        base = f"{table_name}_{column_name}"[:56]
        name, n = base, 2
        while name in self.enum_types:
            name = f"{base}_{n}"
            n += 1
        self.enum_types.add(name)
        return name

    def pick_column_name(self, table: Table, kind_hint=None, allow_enum=True):
        """(name, kind) of a column the table does not have.  Never the
        table's own name (`settings.settings`): migsquash would take the
        table name in a view's FROM for a mention of that column, and refuse
        a later drop or rename of it."""
        rng = self.rng
        existing = {c.name for c in table.columns}
        existing.add(table.name)
        if kind_hint is None:
            # cheap path: a few random draws usually find an unused word
            for _ in range(4):
                name, kind = COLUMN_WORDS[rng.randrange(len(COLUMN_WORDS))]
                if name not in existing and (allow_enum or kind != "enum"):
                    return name, kind
        choices = [cw for cw in COLUMN_WORDS if cw[0] not in existing
                   and (kind_hint is None or cw[1] == kind_hint)
                   and (allow_enum or cw[1] != "enum")]
        if choices:
            return rng.choice(choices)
        base, kind = rng.choice([cw for cw in COLUMN_WORDS
                                 if (kind_hint is None or cw[1] == kind_hint)
                                 and (allow_enum or cw[1] != "enum")])
        n = 2
        while f"{base}_{n}" in existing:
            n += 1
        return f"{base}_{n}", kind

    def new_column(self, table: Table, kind_hint=None, allow_enum=True, explicit_enum=False):
        name, kind = self.pick_column_name(table, kind_hint, allow_enum)
        return self.make_column(table.name, name, kind, explicit_enum=explicit_enum)

    def make_column(self, table_name, name, kind, nullable=None, explicit_enum=False):
        """A new column.  An enum gets a type of its own; `explicit_enum`:
        the migration creates the type itself and the column says
        `create_type=False` (op.add_column does not create types)."""
        rng = self.rng
        length = None
        enum_name, enum_values = None, ()
        if kind == "string":
            length = rng.choice([32, 64, 100, 120, 255, 255, 512])
            if name in ("currency",):
                length = 3
            elif name in ("country_code", "locale"):
                length = rng.choice([2, 8, 16])
            t, r = f"sa.String(length={length})", f"sa.VARCHAR(length={length})"
        elif kind == "text":
            t, r = "sa.Text()", "sa.TEXT()"
        elif kind == "int":
            t, r = "sa.Integer()", "sa.INTEGER()"
        elif kind == "bigint":
            t, r = "sa.BigInteger()", "sa.BIGINT()"
        elif kind == "bool":
            t, r = "sa.Boolean()", "sa.BOOLEAN()"
        elif kind == "numeric":
            p, s = rng.choice([(12, 2), (18, 4), (10, 2), (20, 6)])
            t, r = f"sa.Numeric(precision={p}, scale={s})", f"sa.NUMERIC(precision={p}, scale={s})"
        elif kind == "float":
            t, r = "sa.Float()", "sa.DOUBLE_PRECISION(precision=53)"
        elif kind == "json":
            t = r = "postgresql.JSONB(astext_type=sa.Text())"
        elif kind == "uuid":
            t, r = rng.choice([("sa.Uuid()", "sa.UUID()"),
                               ("postgresql.UUID(as_uuid=True)", "sa.UUID()")])
        elif kind == "datetime":
            t, r = "sa.DateTime(timezone=True)", "postgresql.TIMESTAMP(timezone=True)"
        elif kind == "date":
            t, r = "sa.Date()", "sa.DATE()"
        elif kind == "enum":
            enum_values = tuple(ENUM_VALUES.get(name.split("_")[0], ENUM_VALUES["status"]))
            enum_name = self.new_enum_name(table_name, name)
            vals = ", ".join(q(v) for v in enum_values)
            r = f"postgresql.ENUM({vals}, name={q(enum_name)})"
            if explicit_enum:
                t = f"postgresql.ENUM({vals}, name={q(enum_name)}, create_type=False)"
            else:
                t = f"sa.Enum({vals}, name={q(enum_name)})"
        elif kind == "fk":
            t, r = "sa.Integer()", "sa.INTEGER()"
        else:  # pragma: no cover
            raise ValueError(kind)
        if nullable is None:
            nullable = rng.random() < 0.6
        c = Column(name, kind, t, r, nullable, None, length, enum_name, enum_values)
        if rng.random() < 0.35 or (not nullable and kind in ("bool", "datetime")):
            c.server_default = self.server_default(c)
        return c

    def server_default(self, c: Column):
        rng = self.rng
        kind = c.kind
        if kind == "datetime":
            return "sa.text('now()')"
        if kind == "bool":
            return rng.choice(["sa.text('false')", "sa.text('true')"])
        if kind in ("int", "bigint"):
            return rng.choice(["sa.text('0')", "'0'"])
        if kind == "numeric":
            return "sa.text('0')"
        if kind == "json":
            return "sa.text(\"'{}'::jsonb\")"
        if kind == "enum":
            return q(c.enum_values[0])
        if kind == "uuid":
            return "sa.text('gen_random_uuid()')"
        if kind == "string":
            value = STRING_DEFAULTS.get(c.name, "")
            if c.length is not None and len(value) > c.length:
                value = ""
            return q(value)
        if kind == "date":
            return "sa.text('CURRENT_DATE')"
        return None

    @staticmethod
    def enum_values_src(c: Column):
        return ", ".join(q(v) for v in c.enum_values)

    # ---------------- column rendering ------------------------------------

    @staticmethod
    def col_src(c: Column, extra="", autoinc=False):
        parts = [q(c.name), c.type_expr]
        if extra:
            parts.append(extra)
        if c.server_default is not None:
            parts.append(f"server_default={c.server_default}")
        if autoinc:
            parts.append("autoincrement=False")
        parts.append(f"nullable={c.nullable}")
        return f"sa.Column({', '.join(parts)})"

    @staticmethod
    def col_src_reflected(c: Column):
        parts = [q(c.name), c.reflected_expr]
        if c.server_default is not None:
            parts.append(f"server_default={c.server_default}")
        parts.append("autoincrement=False")
        parts.append(f"nullable={c.nullable}")
        return f"sa.Column({', '.join(parts)})"

    # ---------------- choosing tables -------------------------------------

    def pick_table(self, pred=None, tries=25, reference=False, focus=True):
        """A random table (biased towards recent ones, like real projects)
        that the current revision may change (with `reference`: may point a
        foreign key at) and that satisfies pred, or None.  Sampling instead
        of filtering keeps generation linear in the history size."""
        tables = self.schema.tables
        if not tables:
            return None
        rng = self.rng
        allowed = self.can_see if reference else self.can_change

        def ok(t):
            return allowed(t) and (pred is None or pred(t))

        # a revision mostly touches the one or two tables it is "about"
        if focus:
            for t in self.focus:
                if rng.random() < 0.75 and ok(t):
                    return t
        for _ in range(tries):
            if len(tables) > 8 and rng.random() < 0.6:
                t = tables[-1 - rng.randrange(8)]
            else:
                t = tables[rng.randrange(len(tables))]
            if ok(t):
                return t
        if self.branch is not None and pred is None:
            # inside a branch few tables may be allowed: look at all of them
            cands = [t for t in tables if allowed(t)]
            if cands:
                return rng.choice(cands)
        return None

    # ---------------- operations ------------------------------------------
    # Each returns (message_fragment, upgrade_lines, downgrade_lines) or None
    # if it is not applicable in the current schema state.  Lines are
    # indented for a function body (4 spaces).

    def op_create_table(self, autogen=True, min_cols=3, max_cols=9, lookup=False):
        """A new table.  `lookup`: a table about to be seeded (no foreign
        keys, every column but `id` nullable or with a default, no unique
        index that seed rows could break)."""
        rng = self.rng
        name = self.new_table_name()
        self.relations.add(name)
        self.relations.add(f"{name}_id_seq")
        pk_name = f"pk_{name}" if autogen else f"{name}_pkey"
        self.relations.add(pk_name)
        t = Table(name, owner=self.branch, born=self.branch)
        t.columns.append(Column("id", "int", "sa.Integer()", "sa.INTEGER()", False))
        fk_lines = []
        up_after = []
        n_fk = 0
        if self.schema.tables and not lookup:
            n_fk = rng.choice([0, 1, 1, 1, 2])
        for _ in range(n_fk):
            ref = self.pick_table(reference=True, focus=False)
            if ref is None:
                continue
            col_name = fk_column_name(ref.name)
            if t.column(col_name):
                continue
            c = Column(col_name, "fk", "sa.Integer()", "sa.INTEGER()", rng.random() < 0.4)
            t.columns.append(c)
            ondelete = rng.choice([None, "CASCADE", "SET NULL" if c.nullable else "CASCADE", None])
            fk_name = f"fk_{name}_{col_name}_{ref.name}"[:PG_NAME_MAX]
            t.fks.append((fk_name, col_name, ref.name))
            od = f", ondelete={q(ondelete)}" if ondelete else ""
            if autogen:
                fk_lines.append(f"    sa.ForeignKeyConstraint([{q(col_name)}], [{q(ref.name + '.id')}], "
                                f"name=op.f({q(fk_name)}){od}),")
            else:
                c.type_expr = f"sa.Integer(), sa.ForeignKey({q(ref.name + '.id')}{od})"
        for _ in range(rng.randint(min_cols, max_cols)):
            c = self.new_column(t)
            if lookup and not c.nullable and c.server_default is None:
                c.nullable = True
            t.columns.append(c)
        if rng.random() < 0.7 and not t.column("created_at"):
            t.columns.append(Column("created_at", "datetime", "sa.DateTime(timezone=True)",
                                    "postgresql.TIMESTAMP(timezone=True)", False, "sa.text('now()')"))
        up = []
        if autogen:
            up.append(f"    op.create_table({q(name)},")
            for c in t.columns:
                if c.name == "id":
                    up.append("    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),")
                else:
                    up.append(f"    {self.col_src(c)},")
            up.extend(fk_lines)
            up.append(f"    sa.PrimaryKeyConstraint('id', name=op.f({q(pk_name)}))")
            up.append("    )")
        else:
            up.append("    op.create_table(")
            up.append(f"        {q(name)},")
            for c in t.columns:
                if c.name == "id":
                    up.append("        sa.Column('id', sa.Integer(), primary_key=True),")
                else:
                    up.append(f"        {self.col_src(c)},")
            up.append("    )")
        down = []
        # index the FK columns and maybe one more column
        idx_cols = [col for _, col, _ in t.fks]
        candidates = [c.name for c in t.columns if c.kind in ("string", "datetime", "enum", "uuid")]
        if candidates and rng.random() < 0.6:
            idx_cols.append(rng.choice(candidates))
        for col in idx_cols:
            unique = col in ("email", "slug", "sku", "public_id", "token", "code") and rng.random() < 0.7
            if lookup and t.column(col).server_default is not None:
                unique = False
            iname = f"ix_{name}_{col}"
            if not self.claim(iname):
                continue
            t.indexes.append((iname, [col], unique))
            up_after.append(f"    op.create_index(op.f({q(iname)}), {q(name)}, [{q(col)}], unique={unique})")
            down.append(f"    op.drop_index(op.f({q(iname)}), table_name={q(name)})")
        down.append(f"    op.drop_table({q(name)})")
        for c in t.columns:
            if c.kind == "enum":
                down.append(f"    sa.Enum(name={q(c.enum_name)}).drop(op.get_bind(), checkfirst=True)")
        self.schema.add(t)
        return f"create {name} table", up + up_after, down

    def op_add_column(self):
        t = self.pick_table()
        if t is None:
            return None
        c = self.new_column(t, explicit_enum=True)
        if not c.nullable and c.server_default is None:
            c.nullable = True
        t.columns.append(c)
        if t.rows and c.server_default is not None:
            t.filled.add(c.name)
        up, down = [], [f"    op.drop_column({q(t.name)}, {q(c.name)})"]
        if c.enum_name:
            # op.add_column does not create the type: done by hand
            up.append(f"    sa.Enum({self.enum_values_src(c)}, name={q(c.enum_name)})"
                      ".create(op.get_bind(), checkfirst=True)")
            down.append(f"    sa.Enum(name={q(c.enum_name)}).drop(op.get_bind(), checkfirst=True)")
        up.append(f"    op.add_column({q(t.name)}, {self.col_src(c)})")
        return f"add {c.name} to {t.name}", up, down

    def op_drop_column(self):
        t = self.pick_table(lambda t: len(t.droppable_columns()) > 2)
        if t is None:
            return None
        c = self.rng.choice(t.droppable_columns())
        t.columns.remove(c)
        t.forget(c.name)
        up = [f"    op.drop_column({q(t.name)}, {q(c.name)})"]
        down = [f"    op.add_column({q(t.name)}, {self.col_src_reflected(c)})"]
        return f"drop {t.name} {c.name}", up, down

    def op_alter_column(self):
        rng = self.rng
        t = self.pick_table(lambda t: len(t.alterable_columns()) > 0)
        if t is None:
            return None
        mode = rng.choice(["nullable", "nullable", "type", "rename", "default"])
        if mode in ("type", "rename"):
            cands = t.renamable_columns()
            if mode == "type":
                cands = [c for c in cands if c.kind == "string" and c.length is not None
                         and c.length < 2048]
            if not cands:
                mode = "nullable"
            else:
                c = rng.choice(cands)
        if mode in ("nullable", "default"):
            c = rng.choice(t.alterable_columns())
        if mode == "nullable":
            new = not c.nullable
            if not new and not t.may_set_not_null(c):
                return None
            up = [f"    op.alter_column({q(t.name)}, {q(c.name)},",
                  f"               existing_type={c.reflected_expr},",
                  f"               nullable={new})"]
            down = [f"    op.alter_column({q(t.name)}, {q(c.name)},",
                    f"               existing_type={c.reflected_expr},",
                    f"               nullable={c.nullable})"]
            c.nullable = new
            msg = f"make {t.name} {c.name} {'nullable' if new else 'not null'}"
        elif mode == "type":
            old_t, old_r = c.type_expr, c.reflected_expr
            length = rng.choice([n for n in (255, 512, 1024, 2048) if n > c.length])
            c.length = length
            c.type_expr, c.reflected_expr = f"sa.String(length={length})", f"sa.VARCHAR(length={length})"
            up = [f"    op.alter_column({q(t.name)}, {q(c.name)},",
                  f"               existing_type={old_r},",
                  f"               type_={c.type_expr},",
                  f"               existing_nullable={c.nullable})"]
            down = [f"    op.alter_column({q(t.name)}, {q(c.name)},",
                    f"               existing_type={c.reflected_expr},",
                    f"               type_={old_t},",
                    f"               existing_nullable={c.nullable})"]
            msg = f"widen {t.name} {c.name}"
        elif mode == "rename":
            old = c.name
            new_name, _ = self.pick_column_name(t, kind_hint=c.kind)
            if new_name == old or t.column(new_name):
                return None
            c.name = new_name
            t.renamed(old, new_name)
            up = [f"    op.alter_column({q(t.name)}, {q(old)}, new_column_name={q(new_name)})"]
            down = [f"    op.alter_column({q(t.name)}, {q(new_name)}, new_column_name={q(old)})"]
            msg = f"rename {t.name} {old} to {new_name}"
        else:
            old_default = c.server_default
            new_default = self.server_default(c)
            if new_default is None or new_default == old_default:
                return None
            c.server_default = new_default
            up = [f"    op.alter_column(",
                  f"        {q(t.name)},",
                  f"        {q(c.name)},",
                  f"        existing_type={c.reflected_expr},",
                  f"        server_default={new_default},",
                  f"        existing_nullable={c.nullable},",
                  "    )"]
            down = [f"    op.alter_column(",
                    f"        {q(t.name)},",
                    f"        {q(c.name)},",
                    f"        existing_type={c.reflected_expr},",
                    f"        server_default={old_default},",
                    f"        existing_nullable={c.nullable},",
                    "    )"]
            msg = f"set default for {t.name} {c.name}"
        return msg, up, down

    def op_create_index(self):
        rng = self.rng
        t = self.pick_table()
        if t is None:
            return None
        indexed = {tuple(cols) for _, cols, _ in t.indexes}
        cands = [c.name for c in t.columns if c.name != "id" and (c.name,) not in indexed]
        if not cands:
            return None
        cols = [rng.choice(cands)]
        if len(cands) > 2 and rng.random() < 0.3:
            second = rng.choice(cands)
            if second != cols[0]:
                cols.append(second)
        iname = f"ix_{t.name}_{'_'.join(cols)}"
        if not self.claim(iname):
            return None
        unique = rng.random() < 0.2 and all(t.may_be_unique(t.column(c)) for c in cols)
        t.indexes.append((iname, cols, unique))
        cl = ", ".join(q(c) for c in cols)
        up = [f"    op.create_index(op.f({q(iname)}), {q(t.name)}, [{cl}], unique={unique})"]
        down = [f"    op.drop_index(op.f({q(iname)}), table_name={q(t.name)})"]
        return f"index {t.name} {' '.join(cols)}", up, down

    def op_drop_index(self):
        t = self.pick_table(lambda t: any(not n.startswith("uq_") for n, _, _ in t.indexes))
        if t is None:
            return None
        iname, cols, unique = self.rng.choice([i for i in t.indexes if not i[0].startswith("uq_")])
        t.indexes.remove((iname, cols, unique))
        self.relations.discard(iname)
        cl = ", ".join(q(c) for c in cols)
        up = [f"    op.drop_index(op.f({q(iname)}), table_name={q(t.name)})"]
        down = [f"    op.create_index(op.f({q(iname)}), {q(t.name)}, [{cl}], unique={unique})"]
        return f"drop index {iname}", up, down

    def op_create_foreign_key(self):
        rng = self.rng
        t = self.pick_table()
        if t is None or len(self.schema.tables) < 2:
            return None
        ref = self.pick_table(reference=True)
        if ref is None or ref is t:
            return None
        col = fk_column_name(ref.name)
        if t.column(col):
            return None
        iname = f"ix_{t.name}_{col}"
        if not self.claim(iname):
            return None
        c = Column(col, "fk", "sa.Integer()", "sa.INTEGER()", True)
        t.columns.append(c)
        fk_name = f"fk_{t.name}_{col}_{ref.name}"[:PG_NAME_MAX]
        t.fks.append((fk_name, col, ref.name))
        ondelete = rng.choice(["CASCADE", "SET NULL", None])
        od = f", ondelete={q(ondelete)}" if ondelete else ""
        t.indexes.append((iname, [col], False))
        up = [f"    op.add_column({q(t.name)}, sa.Column({q(col)}, sa.Integer(), nullable=True))",
              f"    op.create_index(op.f({q(iname)}), {q(t.name)}, [{q(col)}], unique=False)",
              f"    op.create_foreign_key(op.f({q(fk_name)}), {q(t.name)}, {q(ref.name)}, "
              f"[{q(col)}], ['id']{od})"]
        down = [f"    op.drop_constraint(op.f({q(fk_name)}), {q(t.name)}, type_='foreignkey')",
                f"    op.drop_index(op.f({q(iname)}), table_name={q(t.name)})",
                f"    op.drop_column({q(t.name)}, {q(col)})"]
        return f"link {t.name} to {ref.name}", up, down

    # op.execute styles: (method, weight).  Data migrations are the most
    # common; an inapplicable style falls back to a data migration.
    EXECUTE_STYLES = [
        ("sql_backfill", 3), ("sql_normalize", 3), ("sql_purge", 2), ("sql_extension", 1),
        ("sql_check", 2), ("sql_index", 2), ("sql_trigger", 1), ("sql_view", 2),
    ]

    def op_execute(self):
        rng = self.rng
        t = self.pick_table(lambda t: len(t.columns) > 2)
        if t is None:
            return None
        names = [n for n, _ in self.EXECUTE_STYLES]
        style = rng.choices(names, weights=[w for _, w in self.EXECUTE_STYLES])[0]
        for name in (style, "sql_backfill", "sql_normalize", "sql_purge"):
            res = getattr(self, name)(t)
            if res is not None:
                return res
        return None

    def visible(self, born):
        """Whether something created at `born` (MAIN or a branch) exists in
        every order Alembic may run the current revision in."""
        if born is None:
            return False
        return born == MAIN or self.branch is None or born[0] != self.group or born == self.branch

    def sql_backfill(self, t):
        bools = [c for c in t.columns if c.kind == "bool"]
        if t.rows:
            # every row gets the same value: not where that breaks a unique
            # index (nor, through the trigger, updated_at)
            unique = t.unique_columns()
            if t.trigger and "updated_at" in unique:
                return None
            bools = [c for c in bools if c.name not in unique]
        if not bools:
            return None
        c = self.rng.choice(bools)
        if t.rows:
            t.filled.add(c.name)
            if t.trigger:
                t.filled.add("updated_at")
        up = [f"    op.execute(\"UPDATE {t.name} SET {c.name} = false WHERE {c.name} IS NULL\")"]
        return f"backfill {t.name} {c.name}", up, ["    # data migration: nothing to undo"]

    def sql_normalize(self, t):
        texts = [c for c in t.columns if c.kind in ("string", "text")]
        if not texts:
            return None
        c = self.rng.choice(texts)
        up = ["    op.execute(",
              "        \"\"\"",
              f"        UPDATE {t.name}",
              f"        SET {c.name} = lower(trim({c.name}))",
              f"        WHERE {c.name} IS NOT NULL",
              f"          AND {c.name} <> lower(trim({c.name}))",
              "        \"\"\"",
              "    )"]
        return f"normalize {t.name} {c.name}", up, ["    # irreversible data cleanup"]

    def sql_purge(self, t):
        dts = [c for c in t.columns if c.kind == "datetime"]
        if not dts:
            return None
        c = self.rng.choice(dts)
        days = self.rng.choice([30, 90, 180, 365, 730])
        up = ["    conn = op.get_bind()",
              "    conn.execute(",
              "        sa.text(",
              f"            \"DELETE FROM {t.name} WHERE {c.name} < now() - make_interval(days => :days)\"",
              f"        ).bindparams(days={days})",
              "    )"]
        return f"purge old {t.name}", up, ["    # deleted rows cannot be restored"]

    def sql_extension(self, t):
        # each extension is enabled once (again only by a parallel branch)
        cands = [e for e in EXTENSIONS if not self.visible(self.extensions.get(e))]
        if not cands:
            return None
        ext = self.rng.choice(cands)
        self.extensions[ext] = self.branch or MAIN
        up = [f"    op.execute('CREATE EXTENSION IF NOT EXISTS \"{ext}\"')"]
        down = [f"    op.execute('DROP EXTENSION IF EXISTS \"{ext}\"')"]
        return f"enable {ext}", up, down

    def sql_check(self, t):
        # a CHECK added NOT VALID, then validated: the column is pinned
        texts = [c for c in t.columns if c.kind in ("string", "text")]
        cands = [c for c in texts if t.may_be_unique(c)
                 and f"ck_{t.name}_{c.name}_not_blank" not in t.checks
                 and len(f"ck_{t.name}_{c.name}_not_blank") <= PG_NAME_MAX]
        if not cands:
            return None
        c = self.rng.choice(cands)
        cname = f"ck_{t.name}_{c.name}_not_blank"
        t.checks.add(cname)
        t.pinned.add(c.name)
        up = [f"    op.execute(",
              f"        \"ALTER TABLE {t.name} \"",
              f"        \"ADD CONSTRAINT {cname} \"",
              f"        \"CHECK ({c.name} IS NULL OR length(trim({c.name})) > 0) NOT VALID\"",
              "    )",
              f"    op.execute(\"ALTER TABLE {t.name} VALIDATE CONSTRAINT {cname}\")"]
        down = [f"    op.execute(\"ALTER TABLE {t.name} DROP CONSTRAINT IF EXISTS {cname}\")"]
        return f"check {t.name} {c.name} not blank", up, down

    def sql_index(self, t):
        # an expression index, written in SQL: the column is pinned
        indexed = {tuple(cols) for _, cols, _ in t.indexes}
        cands = [c for c in t.columns if c.kind in ("string", "text") and (c.name,) not in indexed]
        if not cands:
            return None
        c = self.rng.choice(cands)
        iname = f"ix_{t.name}_lower_{c.name}"
        if not self.claim(iname):
            return None
        t.indexes.append((iname, [c.name], False))
        t.pinned.add(c.name)
        up = [f"    op.execute(\"CREATE INDEX {iname} ON {t.name} (lower({c.name}))\")"]
        down = [f"    op.execute(\"DROP INDEX IF EXISTS {iname}\")"]
        return f"index lower {t.name} {c.name}", up, down

    def sql_trigger(self, t):
        # a trigger keeping updated_at current: the column is pinned; the
        # function is created the first time (and by a parallel branch
        # that cannot count on it)
        c = t.column("updated_at")
        trg = f"trg_{t.name}_updated_at"
        if t.trigger or c is None or c.kind != "datetime" or len(trg) > PG_NAME_MAX:
            return None
        t.trigger = True
        t.pinned.add("updated_at")
        up = []
        if not self.visible(self.set_updated_at):
            self.set_updated_at = self.branch or MAIN
            up += SET_UPDATED_AT
        up += ["    op.execute(",
               f"        \"CREATE TRIGGER {trg} BEFORE UPDATE ON {t.name} \"",
               "        \"FOR EACH ROW EXECUTE FUNCTION set_updated_at()\"",
               "    )"]
        down = [f"    op.execute(\"DROP TRIGGER IF EXISTS {trg} ON {t.name}\")"]
        return f"keep {t.name} updated_at current", up, down

    def sql_view(self, t):
        # a view over the first columns: they are pinned
        free = [n for n in range(1, 10) if f"{t.name}_summary_v{n}" not in self.relations]
        if not free:
            return None
        view = f"{t.name}_summary_v{self.rng.choice(free)}"
        if not self.claim(view):
            return None
        # A column named like a table (`settings`) is left out: migsquash
        # takes any identifier of a view that names a table for a dependency
        # on that table, and then refuses a later drop or rename of a column
        # of the same name there, though the view does not read that table.
        shown = [c for c in t.columns[: self.rng.randint(2, min(6, len(t.columns)))]
                 if c.name not in ENTITY_NAMES]
        t.pinned.update(c.name for c in shown)
        cols = ", ".join(c.name for c in shown)
        up = [f"    op.execute(",
              f"        \"\"\"",
              f"        CREATE OR REPLACE VIEW {view} AS",
              f"        SELECT {cols}",
              f"        FROM {t.name}",
              f"        WHERE id IS NOT NULL",
              f"        \"\"\"",
              f"    )"]
        down = [f"    op.execute(\"DROP VIEW IF EXISTS {view}\")"]
        return f"create {view} view", up, down

    def op_batch(self):
        rng = self.rng
        t = self.pick_table(lambda t: len(t.droppable_columns()) > 1)
        if t is None:
            return None
        up = [f"    with op.batch_alter_table({q(t.name)}, schema=None) as batch_op:"]
        down_inner = []
        for _ in range(rng.randint(2, 4)):
            kind = rng.choice(["add", "add", "alter", "index"])
            if kind == "add":
                c = self.new_column(t, allow_enum=False)
                c.nullable = True
                t.columns.append(c)
                if t.rows and c.server_default is not None:
                    t.filled.add(c.name)
                up.append(f"        batch_op.add_column({self.col_src(c)})")
                down_inner.append(f"        batch_op.drop_column({q(c.name)})")
            elif kind == "alter":
                cands = [c for c in t.alterable_columns()
                         if c.nullable is False or t.may_set_not_null(c)]
                if not cands:
                    continue
                c = rng.choice(cands)
                new = not c.nullable
                up.append(f"        batch_op.alter_column({q(c.name)},")
                up.append(f"               existing_type={c.reflected_expr},")
                up.append(f"               nullable={new})")
                down_inner.append(f"        batch_op.alter_column({q(c.name)},\n"
                                  f"               existing_type={c.reflected_expr},\n"
                                  f"               nullable={c.nullable})")
                c.nullable = new
            else:
                indexed = {tuple(cols) for _, cols, _ in t.indexes}
                cands = [c.name for c in t.columns if c.name != "id" and (c.name,) not in indexed]
                if not cands:
                    continue
                col = rng.choice(cands)
                iname = f"ix_{t.name}_{col}"
                if not self.claim(iname):
                    continue
                t.indexes.append((iname, [col], False))
                up.append(f"        batch_op.create_index(batch_op.f({q(iname)}), [{q(col)}], unique=False)")
                down_inner.append(f"        batch_op.drop_index(batch_op.f({q(iname)}))")
        if len(up) == 1:
            return None
        down = [f"    with op.batch_alter_table({q(t.name)}, schema=None) as batch_op:"]
        for block in reversed(down_inner):
            down.extend(block.split("\n"))
        return f"alter {t.name}", up, down

    def op_bulk_insert(self):
        rng = self.rng
        # lookup tables are created and seeded in the same revision
        msg, up, down = self.op_create_table(autogen=True, min_cols=1, max_cols=2, lookup=True)
        t = self.schema.tables[-1]
        name_col = t.column("name") or t.column("code") or t.column("title")
        if name_col is None or name_col.length is None or name_col.length < 16:
            name_col = self.make_column(t.name, "label" if t.column("name") else "name",
                                        "string", nullable=False)
            name_col.length = max(name_col.length, 32)
            name_col.type_expr = f"sa.String(length={name_col.length})"
            name_col.reflected_expr = f"sa.VARCHAR(length={name_col.length})"
            # patch the create_table to include the column (insert before PK)
            for i, line in enumerate(up):
                if "sa.PrimaryKeyConstraint" in line or "sa.ForeignKeyConstraint" in line:
                    up.insert(i, f"    {self.col_src(name_col)},")
                    break
            t.columns.append(name_col)
        var = [w for w in t.name.split("_") if not w.isdigit()][-1] + "_table"
        rows = rng.randint(3, 8)
        words = ["default", "basic", "premium", "enterprise", "trial", "legacy",
                 "internal", "partner", "archived", "sandbox"]
        rng.shuffle(words)
        up.append(f"    {var} = sa.table(")
        up.append(f"        {q(t.name)},")
        up.append("        sa.column('id', sa.Integer),")
        up.append(f"        sa.column({q(name_col.name)}, sa.String),")
        up.append("    )")
        up.append("    op.bulk_insert(")
        up.append(f"        {var},")
        up.append("        [")
        for i in range(rows):
            up.append(f"            {{'id': {i + 1}, {q(name_col.name)}: {q(words[i % len(words)])}}},")
        up.append("        ],")
        up.append("    )")
        # the seed rows name these columns, and now hold values
        t.pinned.update(("id", name_col.name))
        t.rows = True
        t.filled = {"id", name_col.name} | {c.name for c in t.columns if c.server_default is not None}
        t.distinct = {"id", name_col.name}
        return f"seed {t.name}", up, down

    def op_autocommit(self):
        rng = self.rng
        t = self.pick_table(lambda t: any(c.kind == "enum" for c in t.columns))
        if t is not None and rng.random() < 0.5:
            c = rng.choice([c for c in t.columns if c.kind == "enum"])
            value = rng.choice(["expired", "on_hold", "refunded", "migrated", "locked", "escalated"])
            up = ["    # ALTER TYPE ... ADD VALUE cannot run inside a transaction block",
                  "    with op.get_context().autocommit_block():",
                  f"        op.execute(\"ALTER TYPE {c.enum_name} ADD VALUE IF NOT EXISTS '{value}'\")"]
            down = ["    # PostgreSQL cannot drop a value from an enum type"]
            return f"add {value} to {c.enum_name}", up, down
        t = self.pick_table()
        if t is None:
            return None
        indexed = {tuple(cols) for _, cols, _ in t.indexes}
        cands = [c.name for c in t.columns if c.name != "id" and (c.name,) not in indexed]
        if not cands:
            return None
        col = rng.choice(cands)
        iname = f"ix_{t.name}_{col}"
        if not self.claim(iname):
            return None
        t.indexes.append((iname, [col], False))
        up = ["    with op.get_context().autocommit_block():",
              "        op.create_index(",
              f"            {q(iname)},",
              f"            {q(t.name)},",
              f"            [{q(col)}],",
              "            unique=False,",
              "            postgresql_concurrently=True,",
              "        )"]
        down = ["    with op.get_context().autocommit_block():",
                "        op.drop_index(",
                f"            {q(iname)},",
                f"            table_name={q(t.name)},",
                "            postgresql_concurrently=True,",
                "        )"]
        return f"concurrently index {t.name} {col}", up, down

    def op_unique(self):
        t = self.pick_table()
        if t is None:
            return None
        cands = [c for c in t.columns if c.kind in ("string", "uuid") and c.name != "id"
                 and t.may_be_unique(c)]
        if not cands:
            return None
        c = self.rng.choice(cands)
        uname = f"uq_{t.name}_{c.name}"
        if not self.claim(uname):
            return None
        t.indexes.append((uname, [c.name], True))
        up = [f"    op.create_unique_constraint(op.f({q(uname)}), {q(t.name)}, [{q(c.name)}])"]
        down = [f"    op.drop_constraint(op.f({q(uname)}), {q(t.name)}, type_='unique')"]
        return f"unique {t.name} {c.name}", up, down

    # ---------------- revision files --------------------------------------

    # (method, weight, upper bound of upgrade+downgrade lines it can emit)
    OPS = [
        ("op_create_table", 6, 30),
        ("op_add_column", 20, 4),
        ("op_drop_column", 6, 2),
        ("op_alter_column", 14, 14),
        ("op_create_index", 9, 2),
        ("op_drop_index", 3, 2),
        ("op_create_foreign_key", 6, 6),
        ("op_execute", 10, 16),
        ("op_batch", 9, 26),
        ("op_unique", 3, 2),
        ("op_bulk_insert", 0.8, 42),
        ("op_autocommit", 1.5, 14),
    ]

    # A revision usually is "about" one thing.  Each theme re-weights the
    # operations (missing ones keep their default weight scaled by `rest`)
    # and may force a first operation.
    THEMES = [
        # name, weight, first op, overrides, rest
        ("autogenerate", 30, None, {}, 1.0),
        ("new table", 20, "op_create_table",
         {"op_create_index": 12, "op_add_column": 8, "op_create_foreign_key": 8}, 0.3),
        ("columns", 25, None,
         {"op_add_column": 30, "op_alter_column": 16, "op_drop_column": 8, "op_batch": 10,
          "op_create_index": 8}, 0.15),
        ("data migration", 12, None,
         {"op_execute": 25, "op_add_column": 10, "op_alter_column": 12}, 0.1),
        ("indexes", 9, None,
         {"op_create_index": 20, "op_drop_index": 6, "op_unique": 8, "op_autocommit": 8,
          "op_execute": 4}, 0.05),
        ("seed data", 4, "op_bulk_insert", {"op_execute": 6, "op_add_column": 4}, 0.1),
    ]

    def pick_op(self, budget, theme=None):
        """Weighted choice among the operations that surely fit in budget lines."""
        key = (theme[0] if theme else None, budget if budget < 42 else 42)
        table = self._op_tables.get(key)
        if table is None:
            overrides, rest = ({}, 1.0) if theme is None else (theme[3], theme[4])
            ops = [(n, overrides.get(n, w * rest)) for n, w, cost in self.OPS if cost <= budget]
            cum, total = [], 0.0
            for _, w in ops:
                total += w
                cum.append(total)
            table = self._op_tables[key] = ([n for n, _ in ops], cum)
        names, cum = table
        if not names:
            return None
        return self.rng.choices(names, cum_weights=cum)[0]

    def header(self, message, rid, down, date, typed):
        if down is None:
            revises = ""
            down_src = "None"
        elif isinstance(down, tuple):
            revises = ", ".join(down)
            down_src = "(" + ", ".join(q(d) for d in down) + ")"
        else:
            revises = down
            down_src = q(down)
        lines = [f'"""{message}', "", f"Revision ID: {rid}", f"Revises: {revises}",
                 f"Create Date: {date}", "", '"""']
        if typed:
            lines += ["from typing import Sequence, Union", ""]
        lines += ["from alembic import op", "import sqlalchemy as sa"]
        lines.append("@@PG_IMPORT@@")
        lines += ["", "# revision identifiers, used by Alembic."]
        if typed:
            lines += [f"revision: str = {q(rid)}",
                      f"down_revision: Union[str, Sequence[str], None] = {down_src}",
                      "branch_labels: Union[str, Sequence[str], None] = None",
                      "depends_on: Union[str, Sequence[str], None] = None"]
        else:
            lines += [f"revision = {q(rid)}",
                      f"down_revision = {down_src}",
                      "branch_labels = None",
                      "depends_on = None"]
        lines += ["", ""]
        return lines

    def is_typed(self, index, total):
        if self.header_style == "typed":
            return True
        if self.header_style == "plain":
            return False
        # "mixed": the project switched to the typed template part-way through
        return index >= int(total * 0.6)

    def render(self, header_lines, up, down, autogen, typed):
        sig = " -> None" if typed else ""
        out = []
        uses_pg = any("postgresql." in l for l in up) or any("postgresql." in l for l in down)
        for line in header_lines:
            if line == "@@PG_IMPORT@@":
                if uses_pg:
                    out.append("from sqlalchemy.dialects import postgresql")
                out.append("")
            else:
                out.append(line)
        for fname, body in (("upgrade", up), ("downgrade", down)):
            out.append(f"def {fname}(){sig}:")
            if autogen and body:
                out.append("    # ### commands auto generated by Alembic - please adjust! ###")
            out.extend(body)
            if not any(not l.lstrip().startswith("#") for l in body):
                out.append("    pass")
            if autogen and body:
                out.append("    # ### end Alembic commands ###")
            if fname == "upgrade":
                out += ["", ""]
        return "\n".join(out) + "\n", len(out)

    def normal_revision(self, rid, down, date, index, total, first=False):
        rng = self.rng
        typed = self.is_typed(index, total)
        autogen = rng.random() < 0.7
        target = int(rng.triangular(MIN_LINES, MAX_LINES, 45))
        self.focus = []
        for _ in range(rng.choice([1, 1, 2])):
            t = self.pick_table()
            if t is not None and t not in self.focus:
                self.focus.append(t)
        # fixed overhead: header + defs + blank lines + autogen comments
        overhead = 22 + (2 if typed else 0) + (4 if autogen else 0)
        ups, downs, msgs = [], [], []
        used = overhead
        attempts = 0
        theme = rng.choices(self.THEMES, weights=[t[1] for t in self.THEMES])[0]
        forced = theme[2]
        if first:
            for _ in range(rng.randint(2, 3)):
                m, u, d = self.op_create_table(autogen=True)
                ups.append(u); downs.append(d); msgs.append(m)
                used += len(u) + len(d)
        while used < target and attempts < 1000:
            attempts += 1
            # below the minimum only cheap operations, so we never run dry
            # (two lines are reserved: postgresql dialect import, `pass`)
            if attempts < 500:
                name = self.pick_op(MAX_LINES - 2 - used, theme)
            else:
                # running dry (a branch that owns no table yet): cheap ops
                name = "op_add_column" if self.pick_table() is not None else "op_create_table"
            if forced and not first:
                name, forced = forced, None
            if name is None:
                break
            res = getattr(self, name)()
            if res is None:
                continue
            m, u, d = res
            if name in ("op_create_table", "op_bulk_insert"):
                self.focus.insert(0, self.schema.tables[-1])
            ups.append(u); downs.append(d); msgs.append(m)
            used += len(u) + len(d)
        up_lines = [l for block in ups for l in block]
        down_lines = [l for block in reversed(downs) for l in block]
        if first:
            message = "initial schema"
        elif len(msgs) <= 2 and len(" and ".join(msgs)) < 70:
            message = " and ".join(msgs)
        else:
            message = msgs[0] + rng.choice(["", "", " and more", " and related changes",
                                            f" ({theme[0]})"])
        message = message[:1].upper() + message[1:] if rng.random() < 0.5 else message
        header = self.header(message, rid, down, date, typed)
        text, _ = self.render(header, up_lines, down_lines, autogen, typed)
        return message, text

    def merge_revision(self, rid, parents, date, index, total):
        typed = self.is_typed(index, total)
        message = self.rng.choice(["merge heads", "merge branches", "merge feature branches",
                                   "merge " + " and ".join(p[:6] for p in parents)])
        header = self.header(message, rid, tuple(parents), date, typed)
        text, _ = self.render(header, [], [], False, typed)
        return message, text


def plan_dag(rng: random.Random, n: int):
    """Return a list of (kind, parents, branch) in creation order.

    kind is 'normal' or 'merge'; parents are indexes into the list (or [] for
    the root); branch is None on the main line, (group, index, branches) for
    a revision of a feature branch.  Mostly linear; every 15-25 revisions 2-3
    feature branches of 2-5 revisions fork from the current head and are
    joined by one merge.  The revisions of one branch are consecutive.
    """
    plan = [("normal", [], None)]
    head = 0
    group = 0
    next_fork = len(plan) + rng.randint(15, 25)
    while len(plan) < n:
        remaining = n - len(plan)
        if len(plan) >= next_fork:
            k = rng.choice([2, 2, 3])
            lengths = [rng.randint(2, 5) for _ in range(k)]
            if sum(lengths) + 1 <= remaining:
                group += 1
                tips = []
                for b, length in enumerate(lengths):
                    parent = head
                    for _ in range(length):
                        plan.append(("normal", [parent], (group, b, k)))
                        parent = len(plan) - 1
                    tips.append(parent)
                plan.append(("merge", tips, None))
                head = len(plan) - 1
                next_fork = len(plan) + rng.randint(15, 25)
                continue
            next_fork = n + 1  # not enough room left for a branch group
        plan.append(("normal", [head], None))
        head = len(plan) - 1
    return plan


def generate(out_dir, revisions, seed, header_style="plain", force=False):
    """Write the project; returns a dict of statistics."""
    if revisions < 1:
        raise ValueError("--revisions must be >= 1")
    rng = random.Random(seed)
    mig = os.path.join(out_dir, "migrations")
    versions = os.path.join(mig, "versions")
    if os.path.isdir(versions) and any(f.endswith(".py") for f in os.listdir(versions)):
        if not force:
            raise FileExistsError(f"{versions} already contains revision files (use --force)")
        shutil.rmtree(mig)
    os.makedirs(versions, exist_ok=True)
    write(os.path.join(out_dir, "alembic.ini"), ALEMBIC_INI)
    write(os.path.join(mig, "env.py"), ENV_PY)
    write(os.path.join(mig, "script.py.mako"), SCRIPT_MAKO)
    write(os.path.join(mig, "README"), "Generic single-database configuration.\n")

    gen = Gen(rng, header_style)
    plan = plan_dag(rng, revisions)
    ids = [gen.new_id() for _ in plan]
    # dates: spread over a plausible number of years
    span_hours = min(revisions * 36, 7 * 365 * 24)
    step = span_hours / max(1, revisions)
    when = _dt.datetime(2018, 3, 5, 9, 12, 7, 0) + _dt.timedelta(
        seconds=rng.randrange(0, 86400 * 60))
    stats = {"revisions": 0, "merges": 0, "lines": 0, "bytes": 0,
             "min_lines": None, "max_lines": 0, "branches": 0}
    current = None  # (group, index) of the branch being written
    for index, (kind, parents, branch) in enumerate(plan):
        if branch is not None and branch[:2] != current:
            if branch[1] == 0:
                gen.begin_group(branch[2])
            gen.enter_branch(branch[1])
            current = branch[:2]
        elif branch is None and current is not None:
            gen.end_group()
            current = None
        when += _dt.timedelta(hours=rng.uniform(0.1, 2 * step), microseconds=rng.randrange(1000000))
        date = when.strftime("%Y-%m-%d %H:%M:%S.%f")
        rid = ids[index]
        if kind == "merge":
            message, text = gen.merge_revision(rid, [ids[p] for p in parents], date, index, len(plan))
            stats["merges"] += 1
            stats["branches"] += len(parents)
        else:
            down = ids[parents[0]] if parents else None
            message, text = gen.normal_revision(rid, down, date, index, len(plan), first=not parents)
            nl = text.count("\n")
            stats["min_lines"] = nl if stats["min_lines"] is None else min(stats["min_lines"], nl)
            stats["max_lines"] = max(stats["max_lines"], nl)
        fname = f"{rid}_{slugify(message)}.py"
        write(os.path.join(versions, fname), text)
        stats["revisions"] += 1
        stats["lines"] += text.count("\n")
        stats["bytes"] += len(text.encode())
    stats["head"] = ids[-1]
    return stats


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


ALEMBIC_INI = """\
# A generic, single database configuration.

[alembic]
# path to migration scripts
script_location = %(here)s/migrations

# template used to generate migration file names
# file_template = %%(rev)s_%%(slug)s

# sys.path path, will be prepended to sys.path if present.
prepend_sys_path = .

# the separator used for paths in prepend_sys_path / version_locations
path_separator = os

sqlalchemy.url = postgresql://app:app@localhost/app


[post_write_hooks]

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV_PY = '''\
"""Alembic environment.

The database URL comes from the DATABASE_URL environment variable, or else
from sqlalchemy.url in alembic.ini.  The benchmark itself never runs
migrations (`alembic heads` does not execute this file).
"""
import os
from logging.config import fileConfig

from sqlalchemy import create_engine, pool

from alembic import context

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def database_url():
    return os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")


def run_migrations_offline():
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = create_engine(database_url(), poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--revisions", type=int, required=True, help="number of revision files")
    ap.add_argument("--seed", type=int, required=True, help="RNG seed (output is deterministic)")
    ap.add_argument("--header-style", choices=["plain", "typed", "mixed"], default="plain",
                    help="plain: `revision = ...`; typed: Alembic >= 1.13 template with "
                         "annotations; mixed: plain for the first 60%% of the history")
    ap.add_argument("--force", action="store_true", help="replace an existing migrations/ dir")
    ap.add_argument("out_dir")
    args = ap.parse_args(argv)
    try:
        stats = generate(args.out_dir, args.revisions, args.seed, args.header_style, args.force)
    except (FileExistsError, ValueError) as e:
        print(f"gen_history: error: {e}", file=sys.stderr)
        return 2
    print(f"wrote {stats['revisions']} revisions ({stats['merges']} merges, "
          f"{stats['branches']} branches, {stats['lines']} lines, "
          f"{stats['bytes'] / 1024:.0f} KiB) to {args.out_dir}; head {stats['head']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

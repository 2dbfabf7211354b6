#!/usr/bin/env python3
"""Generate a synthetic but realistic Alembic project for benchmarking.

    python3 bench/gen_history.py --revisions 1000 --seed 42 OUT_DIR

writes

    OUT_DIR/alembic.ini                      (script_location = %(here)s/migrations)
    OUT_DIR/migrations/env.py                (minimal; never executed by the benchmark)
    OUT_DIR/migrations/script.py.mako
    OUT_DIR/migrations/versions/<12-hex-id>_<slug>.py   (N revision files)

The revision graph is mostly linear.  Every ~15-25 revisions the history forks
into 2-3 feature branches of a few revisions each, which are then joined by a
merge revision (``down_revision`` is a tuple, ``upgrade()`` is empty).  The
history always ends in exactly one head.

Revision bodies are built from a small evolving schema model so that every
operation refers to tables, columns, indexes and constraints that exist at that
point of the history: ``op.create_table`` with typed columns, foreign keys and
server defaults, ``op.add_column``/``op.drop_column``, ``op.alter_column``,
``op.create_index``/``op.drop_index`` with ``op.f()``, ``op.create_foreign_key``,
``op.execute`` with inline SQL, ``op.batch_alter_table`` blocks, occasionally
``op.bulk_insert`` and ``op.get_context().autocommit_block()``.  Non-merge
revision files are 40-150 lines long.

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
GENERATOR_VERSION = 1

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

# (name, kind) — kinds map to TYPE_BUILDERS below.
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

EXTENSIONS = ["pg_trgm", "btree_gin", "citext", "pgcrypto", "unaccent", "hstore"]


# --------------------------------------------------------------------------
# schema model
# --------------------------------------------------------------------------

@dataclass
class Column:
    name: str
    kind: str
    type_expr: str          # as written by a human / autogenerate on create
    reflected_expr: str     # as autogenerate writes it in existing_type=
    nullable: bool = True
    server_default: str | None = None


@dataclass
class Table:
    name: str
    columns: list = field(default_factory=list)      # list[Column]
    indexes: list = field(default_factory=list)      # list[(name, [cols], unique)]
    fks: list = field(default_factory=list)          # list[(name, col, ref_table)]

    def column(self, name):
        for c in self.columns:
            if c.name == name:
                return c
        return None

    def droppable_columns(self):
        indexed = {c for _, cols, _ in self.indexes for c in cols}
        fk_cols = {col for _, col, _ in self.fks}
        return [c for c in self.columns
                if c.name != "id" and c.name not in indexed and c.name not in fk_cols
                and not c.name.endswith("_id")]


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


class Gen:
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

    # ---------------- ids / names -----------------------------------------

    def new_id(self):
        while True:
            rid = "%012x" % self.rng.getrandbits(48)
            if rid not in self.ids:
                self.ids.add(rid)
                return rid

    def new_table_name(self):
        if self.table_pool_pos < len(self.table_pool):
            name = self.table_pool[self.table_pool_pos]
            self.table_pool_pos += 1
        else:
            self.counter += 1
            name = f"{self.rng.choice(DOMAINS)}_{self.rng.choice(ENTITIES)}_{self.counter}"
        return name

    def new_column(self, table: Table, kind_hint=None):
        rng = self.rng
        existing = {c.name for c in table.columns}
        if kind_hint is None:
            # cheap path: a few random draws usually find an unused word
            for _ in range(4):
                name, kind = COLUMN_WORDS[rng.randrange(len(COLUMN_WORDS))]
                if name not in existing:
                    return self.make_column(table.name, name, kind)
        choices = [cw for cw in COLUMN_WORDS if cw[0] not in existing
                   and (kind_hint is None or cw[1] == kind_hint)]
        if choices:
            name, kind = rng.choice(choices)
        else:
            base, kind = rng.choice(COLUMN_WORDS)
            n = 2
            while f"{base}_{n}" in existing:
                n += 1
            name = f"{base}_{n}"
        return self.make_column(table.name, name, kind)

    def make_column(self, table_name, name, kind, nullable=None):
        rng = self.rng
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
            values = ENUM_VALUES.get(name.split("_")[0], ENUM_VALUES["status"])
            enum_name = f"{table_name}_{name}"[:60]
            vals = ", ".join(q(v) for v in values)
            t = f"sa.Enum({vals}, name={q(enum_name)})"
            r = f"postgresql.ENUM({vals}, name={q(enum_name)})"
        elif kind == "fk":
            t, r = "sa.Integer()", "sa.INTEGER()"
        else:  # pragma: no cover
            raise ValueError(kind)
        if nullable is None:
            nullable = rng.random() < 0.6
        default = None
        if rng.random() < 0.35 or (not nullable and kind in ("bool", "datetime")):
            default = self.server_default(kind, name)
        return Column(name, kind, t, r, nullable, default)

    def server_default(self, kind, name):
        rng = self.rng
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
            values = ENUM_VALUES.get(name.split("_")[0], ENUM_VALUES["status"])
            return f"{q(values[0])}"
        if kind == "uuid":
            return "sa.text('gen_random_uuid()')"
        if kind == "string":
            return {"currency": "'USD'", "timezone": "'UTC'", "locale": "'en'",
                    "country_code": "'US'"}.get(name, "''")
        if kind == "date":
            return "sa.text('CURRENT_DATE')"
        return None

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

    # ---------------- operations ------------------------------------------
    # Each returns (message_fragment, upgrade_lines, downgrade_lines) or None
    # if it is not applicable in the current schema state.  Lines are
    # indented for a function body (4 spaces).

    def op_create_table(self, autogen=True, min_cols=3, max_cols=9):
        rng = self.rng
        name = self.new_table_name()
        t = Table(name)
        t.columns.append(Column("id", "int", "sa.Integer()", "sa.INTEGER()", False))
        fk_lines = []
        up_after = []
        others = self.schema.tables
        n_fk = 0
        if others:
            n_fk = rng.choice([0, 1, 1, 1, 2])
        for _ in range(n_fk):
            ref = rng.choice(others)
            col_name = fk_column_name(ref.name)
            if t.column(col_name):
                continue
            c = Column(col_name, "fk", "sa.Integer()", "sa.INTEGER()", rng.random() < 0.4)
            t.columns.append(c)
            ondelete = rng.choice([None, "CASCADE", "SET NULL" if c.nullable else "CASCADE", None])
            fk_name = f"fk_{name}_{col_name}_{ref.name}"
            t.fks.append((fk_name, col_name, ref.name))
            od = f", ondelete={q(ondelete)}" if ondelete else ""
            if autogen:
                fk_lines.append(f"    sa.ForeignKeyConstraint([{q(col_name)}], [{q(ref.name + '.id')}], "
                                f"name=op.f({q(fk_name)}){od}),")
            else:
                c.type_expr = f"sa.Integer(), sa.ForeignKey({q(ref.name + '.id')}{od})"
        for _ in range(rng.randint(min_cols, max_cols)):
            t.columns.append(self.new_column(t))
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
            up.append(f"    sa.PrimaryKeyConstraint('id', name=op.f({q('pk_' + name)}))")
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
            iname = f"ix_{name}_{col}"
            t.indexes.append((iname, [col], unique))
            up_after.append(f"    op.create_index(op.f({q(iname)}), {q(name)}, [{q(col)}], unique={unique})")
            down.append(f"    op.drop_index(op.f({q(iname)}), table_name={q(name)})")
        down.append(f"    op.drop_table({q(name)})")
        for c in t.columns:
            if c.kind == "enum":
                down.append(f"    sa.Enum(name={q(c.type_expr.split('name=')[1][1:-2])}).drop(op.get_bind(), checkfirst=True)")
        self.schema.add(t)
        return f"create {name} table", up + up_after, down

    def pick_table(self, pred=None, tries=25):
        """A random existing table (biased towards recent ones, like real
        projects) satisfying pred, or None.  Sampling instead of filtering
        keeps generation linear in the history size."""
        tables = self.schema.tables
        if not tables:
            return None
        rng = self.rng
        # a revision mostly touches the one or two tables it is "about"
        for t in self.focus:
            if rng.random() < 0.75 and (pred is None or pred(t)):
                return t
        for _ in range(tries):
            if len(tables) > 8 and rng.random() < 0.6:
                t = tables[-1 - rng.randrange(8)]
            else:
                t = tables[rng.randrange(len(tables))]
            if pred is None or pred(t):
                return t
        return None

    def op_add_column(self):
        t = self.pick_table()
        if t is None:
            return None
        c = self.new_column(t)
        if not c.nullable and c.server_default is None:
            c.nullable = True
        t.columns.append(c)
        up = [f"    op.add_column({q(t.name)}, {self.col_src(c)})"]
        down = [f"    op.drop_column({q(t.name)}, {q(c.name)})"]
        return f"add {c.name} to {t.name}", up, down

    def op_drop_column(self):
        t = self.pick_table(lambda t: len(t.droppable_columns()) > 2)
        if t is None:
            return None
        c = self.rng.choice(t.droppable_columns())
        t.columns.remove(c)
        up = [f"    op.drop_column({q(t.name)}, {q(c.name)})"]
        down = [f"    op.add_column({q(t.name)}, {self.col_src_reflected(c)})"]
        return f"drop {t.name} {c.name}", up, down

    def op_alter_column(self):
        rng = self.rng
        t = self.pick_table(lambda t: len(t.droppable_columns()) > 0)
        if t is None:
            return None
        c = rng.choice(t.droppable_columns())
        mode = rng.choice(["nullable", "nullable", "type", "rename", "default"])
        if mode == "type" and c.kind != "string":
            mode = "nullable"
        if mode == "nullable":
            new = not c.nullable
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
            length = rng.choice([255, 512, 1024, 2048])
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
            new_name = self.new_column(t, kind_hint=c.kind).name
            if new_name == old or t.column(new_name):
                return None
            c.name = new_name
            up = [f"    op.alter_column({q(t.name)}, {q(old)}, new_column_name={q(new_name)})"]
            down = [f"    op.alter_column({q(t.name)}, {q(new_name)}, new_column_name={q(old)})"]
            msg = f"rename {t.name} {old} to {new_name}"
        else:
            old_default = c.server_default
            new_default = self.server_default(c.kind, c.name)
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
        if any(n == iname for n, _, _ in t.indexes):
            return None
        unique = rng.random() < 0.2
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
        cl = ", ".join(q(c) for c in cols)
        up = [f"    op.drop_index(op.f({q(iname)}), table_name={q(t.name)})"]
        down = [f"    op.create_index(op.f({q(iname)}), {q(t.name)}, [{cl}], unique={unique})"]
        return f"drop index {iname}", up, down

    def op_create_foreign_key(self):
        rng = self.rng
        t = self.pick_table()
        if t is None or len(self.schema.tables) < 2:
            return None
        ref = self.pick_table()
        if ref is t:
            return None
        col = fk_column_name(ref.name)
        if t.column(col):
            return None
        c = Column(col, "fk", "sa.Integer()", "sa.INTEGER()", True)
        t.columns.append(c)
        fk_name = f"fk_{t.name}_{col}_{ref.name}"
        t.fks.append((fk_name, col, ref.name))
        ondelete = rng.choice(["CASCADE", "SET NULL", None])
        od = f", ondelete={q(ondelete)}" if ondelete else ""
        iname = f"ix_{t.name}_{col}"
        t.indexes.append((iname, [col], False))
        up = [f"    op.add_column({q(t.name)}, sa.Column({q(col)}, sa.Integer(), nullable=True))",
              f"    op.create_index(op.f({q(iname)}), {q(t.name)}, [{q(col)}], unique=False)",
              f"    op.create_foreign_key(op.f({q(fk_name)}), {q(t.name)}, {q(ref.name)}, "
              f"[{q(col)}], ['id']{od})"]
        down = [f"    op.drop_constraint(op.f({q(fk_name)}), {q(t.name)}, type_='foreignkey')",
                f"    op.drop_index(op.f({q(iname)}), table_name={q(t.name)})",
                f"    op.drop_column({q(t.name)}, {q(col)})"]
        return f"link {t.name} to {ref.name}", up, down

    def op_execute(self):
        rng = self.rng
        t = self.pick_table(lambda t: len(t.columns) > 2)
        if t is None:
            return None
        bools = [c for c in t.columns if c.kind == "bool"]
        texts = [c for c in t.columns if c.kind in ("string", "text")]
        dts = [c for c in t.columns if c.kind == "datetime"]
        style = rng.randrange(6)
        if style == 0 and bools:
            c = rng.choice(bools)
            up = [f"    op.execute(\"UPDATE {t.name} SET {c.name} = false WHERE {c.name} IS NULL\")"]
            return f"backfill {t.name} {c.name}", up, ["    # data migration: nothing to undo"]
        if style == 1 and texts:
            c = rng.choice(texts)
            up = ["    op.execute(",
                  "        \"\"\"",
                  f"        UPDATE {t.name}",
                  f"        SET {c.name} = lower(trim({c.name}))",
                  f"        WHERE {c.name} IS NOT NULL",
                  f"          AND {c.name} <> lower(trim({c.name}))",
                  "        \"\"\"",
                  "    )"]
            return f"normalize {t.name} {c.name}", up, ["    # irreversible data cleanup"]
        if style == 2 and dts:
            c = rng.choice(dts)
            days = rng.choice([30, 90, 180, 365, 730])
            up = ["    conn = op.get_bind()",
                  "    conn.execute(",
                  "        sa.text(",
                  f"            \"DELETE FROM {t.name} WHERE {c.name} < now() - make_interval(days => :days)\"",
                  f"        ).bindparams(days={days})",
                  "    )"]
            return f"purge old {t.name}", up, ["    # deleted rows cannot be restored"]
        if style == 3:
            ext = rng.choice(EXTENSIONS)
            up = [f"    op.execute('CREATE EXTENSION IF NOT EXISTS \"{ext}\"')"]
            down = [f"    op.execute('DROP EXTENSION IF EXISTS \"{ext}\"')"]
            return f"enable {ext}", up, down
        if style == 4 and texts:
            c = rng.choice(texts)
            cname = f"ck_{t.name}_{c.name}_not_blank"
            up = [f"    op.execute(",
                  f"        \"ALTER TABLE {t.name} \"",
                  f"        \"ADD CONSTRAINT {cname} \"",
                  f"        \"CHECK ({c.name} IS NULL OR length(trim({c.name})) > 0) NOT VALID\"",
                  "    )",
                  f"    op.execute(\"ALTER TABLE {t.name} VALIDATE CONSTRAINT {cname}\")"]
            down = [f"    op.execute(\"ALTER TABLE {t.name} DROP CONSTRAINT IF EXISTS {cname}\")"]
            return f"check {t.name} {c.name} not blank", up, down
        view = f"{t.name}_summary_v{rng.randint(1, 9)}"
        cols = ", ".join(c.name for c in t.columns[: rng.randint(2, min(6, len(t.columns)))])
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
                c = self.new_column(t)
                c.nullable = True
                t.columns.append(c)
                up.append(f"        batch_op.add_column({self.col_src(c)})")
                down_inner.append(f"        batch_op.drop_column({q(c.name)})")
            elif kind == "alter":
                cands = t.droppable_columns()
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
        msg, up, down = self.op_create_table(autogen=True, min_cols=1, max_cols=2)
        t = self.schema.tables[-1]
        name_col = t.column("name") or t.column("code") or t.column("title")
        if name_col is None:
            name_col = self.make_column(t.name, "name", "string", nullable=False)
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
        return f"seed {t.name}", up, down

    def op_autocommit(self):
        rng = self.rng
        t = self.pick_table(lambda t: any(c.kind == "enum" for c in t.columns))
        if t is not None and rng.random() < 0.5:
            c = rng.choice([c for c in t.columns if c.kind == "enum"])
            enum_name = c.type_expr.split("name=")[1][1:-2]
            value = rng.choice(["expired", "on_hold", "refunded", "migrated", "locked", "escalated"])
            up = ["    # ALTER TYPE ... ADD VALUE cannot run inside a transaction block",
                  "    with op.get_context().autocommit_block():",
                  f"        op.execute(\"ALTER TYPE {enum_name} ADD VALUE IF NOT EXISTS '{value}'\")"]
            down = ["    # PostgreSQL cannot drop a value from an enum type"]
            return f"add {value} to {enum_name}", up, down
        t = self.pick_table()
        if t is None:
            return None
        indexed = {tuple(cols) for _, cols, _ in t.indexes}
        cands = [c.name for c in t.columns if c.name != "id" and (c.name,) not in indexed]
        if not cands:
            return None
        col = rng.choice(cands)
        iname = f"ix_{t.name}_{col}"
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
        cands = [c for c in t.columns if c.kind in ("string", "uuid") and c.name != "id"]
        if not cands:
            return None
        c = self.rng.choice(cands)
        uname = f"uq_{t.name}_{c.name}"
        if any(n == uname for n, _, _ in t.indexes):
            return None
        t.indexes.append((uname, [c.name], True))
        up = [f"    op.create_unique_constraint(op.f({q(uname)}), {q(t.name)}, [{q(c.name)}])"]
        down = [f"    op.drop_constraint(op.f({q(uname)}), {q(t.name)}, type_='unique')"]
        return f"unique {t.name} {c.name}", up, down

    # ---------------- revision files --------------------------------------

    # (method, weight, upper bound of upgrade+downgrade lines it can emit)
    OPS = [
        ("op_create_table", 6, 30),
        ("op_add_column", 20, 2),
        ("op_drop_column", 6, 2),
        ("op_alter_column", 14, 14),
        ("op_create_index", 9, 2),
        ("op_drop_index", 3, 2),
        ("op_create_foreign_key", 6, 6),
        ("op_execute", 10, 12),
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
            name = self.pick_op(MAX_LINES - 2 - used, theme) if attempts < 500 else "op_add_column"
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
    """Return a list of (kind, parents) in creation order.

    kind is 'normal' or 'merge'; parents are indexes into the list (or [] for
    the root).  Mostly linear; every 15-25 revisions 2-3 feature branches of
    2-5 revisions fork from the current head and are joined by one merge.
    """
    plan = [("normal", [])]
    head = 0
    next_fork = len(plan) + rng.randint(15, 25)
    while len(plan) < n:
        remaining = n - len(plan)
        if len(plan) >= next_fork:
            k = rng.choice([2, 2, 3])
            lengths = [rng.randint(2, 5) for _ in range(k)]
            if sum(lengths) + 1 <= remaining:
                tips = []
                for length in lengths:
                    parent = head
                    for _ in range(length):
                        plan.append(("normal", [parent]))
                        parent = len(plan) - 1
                    tips.append(parent)
                plan.append(("merge", tips))
                head = len(plan) - 1
                next_fork = len(plan) + rng.randint(15, 25)
                continue
            next_fork = n + 1  # not enough room left for a branch group
        plan.append(("normal", [head]))
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
    for index, (kind, parents) in enumerate(plan):
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
"""Alembic environment (minimal; the benchmark never runs migrations)."""
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
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

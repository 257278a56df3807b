#!/usr/bin/env python3
# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark of the daily agreement monitor of debt_negotiation.

Runs against a real Odoo 18.0 database where ``debt_negotiation`` is
installed. It COMMITS generated data and what the monitor does: use a
throwaway database.

1. Generates (once per database) ``--cases`` cases under an agreement
   (default 10,000; about 60,000 installments), as a database looks the day
   after yesterday's monitor run:

   * one template case per scenario and phase is built through the ORM and
     the addon's own code paths, with the clock moved by freezegun:
     posted invoices, the case opened on them, the offer proposed, the
     agreement confirmed with the agreement wizard (letter recorded, PDF
     skipped), real customer payments registered with the payment wizard on
     their dates, promises to pay. Then ``_cron_monitor_agreements()`` runs
     once on yesterday (installment states, notices, broken and fulfilled
     agreements with their letters and write-offs, promises), and the
     payments received today are registered;
   * the scenarios: payment plans paid on time (down payment and 7 monthly
     installments), paid a few days late within the grace period (8, a
     discount written off at the end), stopped after two payments (they
     break), short plans paid in full (fulfilled), settlements paid (fulfilled
     with a write-off) or not (broken), plans with a promise to pay kept or
     broken. Each scenario has ``--phases`` templates (default 30), one per
     agreement date a day apart, so each day's due dates, reminders, late
     notices, broken and fulfilled agreements concern about 1/30th of them,
     as in production;
   * each template case is cloned in bulk SQL (the ORM needs seconds per
     agreement) with everything it owns: debtor, invoices, payments and
     their entries, reconciliations, write-offs, offer, agreement,
     installments, letters, interactions, promises, chatter, followers and
     activities; new ids, names and sequence numbers, references remapped.
     The debtors are named ``Bench Agreement Debtor NNNNN`` (the templates,
     counted in ``--cases``, ``Bench Agreement Template NNNN``). Generating
     the default data takes about 13 minutes on two shared cores.
2. Runs ``_cron_monitor_agreements()`` on ``debt.negotiation`` as Odoo's
   cron loop does (its progress record in the context: one phase per call,
   a commit after each call, called again while something remains), with
   ``bench_odoo.skip_pdf()`` (broken-promise letters recorded, their
   PDF rendered on first print). Reports time, SQL queries and the process
   memory per phase and per committed batch, the queries of the Odoo APIs
   it calls (chatter messages and their emails, activities, letters,
   accounting entries) apart from its own, what changed, and ends with::

       RESULT monitor_seconds=S queries_per_case=Q cases=N

   (Q: the run's SQL queries divided by the ``N`` cases generated).

The run commits what it does, so each measurement needs fresh data: generate
once with ``--skip-run`` into a template database, then measure on copies::

    python scripts/bench_agreements.py --skip-run -- -d bench_ag_tpl ...
    createdb -T bench_ag_tpl bench_ag_1
    python scripts/bench_agreements.py -- -d bench_ag_1 ...

Usage, with the python of Odoo (command line and Odoo bootstrap: see
bench_odoo.py)::

    python scripts/bench_agreements.py [--odoo-path DIR] [options] -- \\
        -c odoo.conf -d bench_db
"""

import contextlib
import statistics
from collections import Counter, defaultdict
from datetime import timedelta

import bench_odoo
from bench_odoo import (
    Probe,
    QueryOrigins,
    memory_marks,
    patched,
    rss_mb,
    skip_pdf,
    wall_clock,
)

PARTNER_PREFIX = "Bench Agreement Debtor"
TEMPLATE_PREFIX = "Bench Agreement Template"

# Scenarios: share of the cases (how each is built: see build_template).
SCENARIOS = {
    "plan_on_time": 0.25,
    "plan_late": 0.20,
    "plan_stopped": 0.12,
    "plan_completed": 0.05,
    "settlement_paid": 0.15,
    "settlement_unpaid": 0.08,
    "plan_promise": 0.15,
}


def parse_args(argv=None):
    parser = bench_odoo.make_parser(__doc__.split("\n\n", 1)[0])
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument(
        "--phases",
        type=int,
        default=30,
        help="template cases per scenario, their agreements a day apart",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=0,
        help="batch size of the monitor (default: the cron's own)",
    )
    parser.add_argument(
        "--skip-run", action="store_true", help="generate the data only"
    )
    return bench_odoo.parse_args(parser, argv)


# ---------------------------------------------------------------------------
# Template cases, through the ORM
# ---------------------------------------------------------------------------


def frozen(day):
    """freezegun at noon of ``day``."""
    from freezegun import freeze_time

    return freeze_time(f"{day.isoformat()} 12:00:00")


class Template:
    """One template case: its scenario, phase and planned events."""

    def __init__(self, scenario, phase, today):
        self.scenario = scenario
        self.phase = phase
        self.today = today
        self.case = None
        self.payments = []  # [(date, amount)]
        self.promise = None  # (promised_on, date, amount)


def build_template(env, template, index):
    """Debtor, invoices, case, offer and agreement of ``template`` (each on
    its own date), and its payments and promise up to yesterday."""
    from odoo import Command

    today, phase, scenario = template.today, template.phase, template.scenario
    ages = {
        "plan_on_time": 60,
        "plan_late": 45,
        "plan_stopped": 75,
        "plan_completed": 100,
        "settlement_paid": 10,
        "settlement_unpaid": 10,
        "plan_promise": 45,
    }
    agreed_on = today - timedelta(days=ages[scenario] + phase)
    term = env.ref("account.account_payment_term_immediate")
    partner = env["res.partner"].create(
        {
            "name": f"{TEMPLATE_PREFIX} {index:04d}",
            "is_company": True,
            "email": f"debtor.agt{index}@example.com",
            "street": f"{index} Bench Street",
            "zip": "1000",
            "city": "Brussels",
            "property_payment_term_id": term.id,
        }
    )
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1
    )
    account = env["account.account"].search(
        [("account_type", "=", "income"), ("company_ids", "in", env.company.id)],
        limit=1,
    )
    invoices = env["account.move"]
    for days, amount in ((45, 800.0 + 10 * (phase % 7)), (30, 400.0)):
        invoice_date = agreed_on - timedelta(days=days)
        with frozen(invoice_date):
            invoice = env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "journal_id": journal.id,
                    "invoice_payment_term_id": term.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Bench service",
                                "quantity": 1,
                                "price_unit": amount,
                                "account_id": account.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            invoice.action_post()
            invoices |= invoice
    with frozen(agreed_on - timedelta(days=20)):
        action = invoices.action_start_negotiation()
        case = env["debt.negotiation"].browse(action["res_id"])
        case.user_id = env.ref("base.user_admin")
    template.case = case
    due = case.amount_due
    with frozen(agreed_on):
        offer = env["debt.negotiation.offer"].create(
            offer_values(case, scenario, due, agreed_on)
        )
        offer.action_propose()
        action = offer.action_accept()
        wizard = (
            env[action["res_model"]]
            .with_context(**action["context"])
            .create({"signed_by": "Jane Accounts", "signed_on": agreed_on})
        )
        wizard.action_confirm()
    agreement = case.agreement_id
    schedule = [(i.due_date, i.amount) for i in agreement.installment_ids]
    plan_payments(template, schedule)
    if scenario == "plan_promise" and len(schedule) > 2:
        # the debtor promises, the day after it fell due, the second payment
        # within the grace period; kept on even phases
        second_due, amount = schedule[1]
        if second_due + timedelta(days=1) < today:
            template.promise = (
                second_due + timedelta(days=1),
                second_due + timedelta(days=4),
                amount,
            )
    for day, amount in template.payments:
        if day < today:
            register_payment(env, invoices, amount, day)
    if template.promise and template.promise[0] < today:
        create_promise(env, case, template.promise)
    env.flush_all()
    return case


def offer_values(case, scenario, due, agreed_on):
    """The offer of ``scenario`` on ``case`` (``due`` owed)."""
    currency = case.currency_id
    vals = {"negotiation_id": case.id, "first_due_date": agreed_on + timedelta(10)}
    if scenario.startswith("settlement"):
        share = 0.75 if scenario == "settlement_paid" else 0.8
        return dict(
            vals,
            offer_type="settlement",
            amount=currency.round(due * share),
            first_due_date=agreed_on + timedelta(days=15),
        )
    counts = {
        "plan_on_time": 7,
        "plan_late": 8,
        "plan_stopped": 7,
        "plan_completed": 3,
        "plan_promise": 7,
    }
    amount = due if scenario != "plan_late" else currency.round(due * 0.95)
    vals.update(
        offer_type="payment_plan",
        amount=amount,
        installment_count=counts[scenario],
        interval="month",
    )
    if scenario in ("plan_on_time", "plan_stopped"):
        vals["down_payment"] = currency.round(amount * 0.1)
    return vals


def plan_payments(template, schedule):
    """The payments the debtor of ``template`` makes (until today)."""
    scenario, today = template.scenario, template.today
    payments = []
    for number, (due_date, amount) in enumerate(schedule):
        if scenario in ("plan_on_time", "plan_completed"):
            day = due_date - timedelta(days=2)
        elif scenario == "settlement_paid":
            day = due_date - timedelta(days=1)
        elif scenario == "plan_late":
            day = due_date + timedelta(days=3)
        elif scenario == "plan_stopped":
            if number >= 2:
                break
            day = due_date - timedelta(days=1)
        elif scenario == "plan_promise":
            if number == 1 and template.phase % 2:
                break  # the promise is broken, the agreement too
            day = due_date + timedelta(days=3 if number != 1 else 4)
        else:  # settlement_unpaid
            break
        if day > today:
            break
        payments.append((day, amount))
    template.payments = payments


def register_payment(env, invoices, amount, day):
    """A customer payment of ``amount`` on ``day``, through the payment
    wizard, on the oldest invoices still due."""
    with frozen(day):
        for invoice in invoices.sorted("invoice_date"):
            residual = invoice.amount_residual
            if invoice.currency_id.is_zero(residual):
                continue
            part = min(residual, amount)
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"amount": part, "payment_date": day})._create_payments()
            amount = invoice.currency_id.round(amount - part)
            if invoice.currency_id.is_zero(amount):
                break


def create_promise(env, case, promise):
    promised_on, day, amount = promise
    if case.state not in ("agreement", "broken"):
        return
    with frozen(promised_on):
        env["debt.negotiation.promise"].create(
            {
                "negotiation_id": case.id,
                "promised_on": promised_on,
                "date": day,
                "amount": min(amount, case.amount_due),
            }
        )


def build_templates(env, args, today):
    """Every template case, yesterday's monitor run on them and the payments
    of today; return the templates (committed)."""
    templates = [
        Template(scenario, phase, today)
        for scenario in SCENARIOS
        for phase in range(args.phases)
    ]
    start = wall_clock()
    Case = env["debt.negotiation"].with_context(**skip_pdf())
    env = Case.env
    for index, template in enumerate(templates, 1):
        build_template(env, template, index)
        if index % 20 == 0:
            env.cr.commit()
            print(
                f"  {index}/{len(templates)} template cases "
                f"({wall_clock() - start:.0f}s)",
                flush=True,
            )
    env.cr.commit()
    with frozen(today - timedelta(days=1)):
        Case._cron_monitor_agreements()
    env.cr.commit()
    for template in templates:
        invoices = template.case.invoice_ids
        for day, amount in template.payments:
            if day == today:
                register_payment(env, invoices, amount, day)
        if template.promise and template.promise[0] == today:
            create_promise(env, template.case, template.promise)
    env.cr.commit()
    print(
        f"{len(templates)} template cases built, monitored yesterday and paid "
        f"today in {wall_clock() - start:.0f}s"
    )
    return templates


# ---------------------------------------------------------------------------
# Cloning, in SQL
# ---------------------------------------------------------------------------

# The tables a case owns, in insertion order; a reference to a table cloned
# later is written after all the inserts.
CLONED_TABLES = [
    "res_partner",
    "account_move",
    "account_payment",
    "account_full_reconcile",
    "account_move_line",
    "account_partial_reconcile",
    "debt_negotiation",
    "debt_negotiation_offer",
    "debt_negotiation_agreement",
    "debt_negotiation_installment",
    "debt_negotiation_letter",
    "debt_negotiation_interaction",
    "debt_negotiation_promise",
    "mail_message",
    "mail_tracking_value",
    "mail_followers",
    "mail_activity",
]
# Documents whose chatter, followers and activities are cloned with them.
THREAD_TABLES = {
    "res.partner": "res_partner",
    "account.move": "account_move",
    "account.payment": "account_payment",
    "debt.negotiation": "debt_negotiation",
    "debt.negotiation.letter": "debt_negotiation_letter",
}
# Columns of the clones: SQL expressions over the template row t and the
# copy c (c.idx: the clone's number), the others are copied (references to
# cloned rows remapped).
MOVE_NUMBER = "(t.sequence_number + 10000 * c.idx)"
# a portal token of its own where the template has one
NEW_TOKEN = "CASE WHEN t.access_token IS NOT NULL THEN gen_random_uuid()::text END"
OVERRIDES = {
    "res_partner": {
        "name": f"'{PARTNER_PREFIX} ' || lpad(c.idx::text, 5, '0')",
        "complete_name": f"'{PARTNER_PREFIX} ' || lpad(c.idx::text, 5, '0')",
        "email": "'debtor.ag' || c.idx || '@example.com'",
        "email_normalized": "'debtor.ag' || c.idx || '@example.com'",
        "street": "c.idx || ' Bench Street'",
    },
    "account_move": {
        "name": "CASE WHEN t.name = '/' OR t.name IS NULL THEN t.name "
        f"ELSE t.sequence_prefix || lpad({MOVE_NUMBER}::text, "
        f"greatest(5, length({MOVE_NUMBER}::text)), '0') END",
        "sequence_number": MOVE_NUMBER,
        "access_token": NEW_TOKEN,
    },
    "debt_negotiation": {
        "name": "t.name || '-' || lpad(c.idx::text, 5, '0')",
        "access_token": NEW_TOKEN,
    },
    "debt_negotiation_letter": {"name": "t.name || '-' || lpad(c.idx::text, 5, '0')"},
    "mail_message": {"message_id": "NULL"},
}


def template_rows(env, case):
    """{table: ids} of what ``case`` owns (see CLONED_TABLES)."""
    agreements = case.agreement_ids
    moves = case.invoice_ids | agreements.writeoff_move_id | agreements.credit_note_ids
    while True:
        lines = moves.line_ids
        partials = lines.matched_debit_ids | lines.matched_credit_ids
        more = (
            partials.debit_move_id.move_id
            | partials.credit_move_id.move_id
            | partials.exchange_move_id
            | lines.full_reconcile_id.exchange_move_id
        )
        if not more - moves:
            break
        moves |= more
    payments = env["account.payment"].search([("move_id", "in", moves.ids)])
    rows = {
        "res_partner": case.partner_id.ids,
        "account_move": moves.ids,
        "account_payment": payments.ids,
        "account_full_reconcile": lines.full_reconcile_id.ids,
        "account_move_line": lines.ids,
        "account_partial_reconcile": partials.ids,
        "debt_negotiation": case.ids,
        "debt_negotiation_offer": case.offer_ids.ids,
        "debt_negotiation_agreement": agreements.ids,
        "debt_negotiation_installment": agreements._all_installments().ids,
        "debt_negotiation_letter": case.letter_ids.ids,
        "debt_negotiation_interaction": case.interaction_ids.ids,
        "debt_negotiation_promise": case.promise_ids.ids,
    }
    cr = env.cr
    threads = {
        model: rows[table] for model, table in THREAD_TABLES.items() if rows[table]
    }
    for table, model_column in (
        ("mail_message", "model"),
        ("mail_followers", "res_model"),
        ("mail_activity", "res_model"),
    ):
        ids = []
        for model, res_ids in threads.items():
            cr.execute(
                f"SELECT id FROM {table} WHERE {model_column} = %s "  # noqa: S608
                "AND res_id = ANY(%s)",
                [model, res_ids],
            )
            ids += [row[0] for row in cr.fetchall()]
        rows[table] = ids
    cr.execute(
        "SELECT id FROM mail_tracking_value WHERE mail_message_id = ANY(%s)",
        [rows["mail_message"] or [0]],
    )
    rows["mail_tracking_value"] = [row[0] for row in cr.fetchall()]
    return rows


def foreign_keys(cr, table):
    """{column: referenced table} of the one-column foreign keys of ``table``."""
    cr.execute(
        "SELECT a.attname, cf.relname FROM pg_constraint k "
        "JOIN pg_class cr ON cr.oid = k.conrelid "
        "JOIN pg_class cf ON cf.oid = k.confrelid "
        "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] "
        "WHERE k.contype = 'f' AND cardinality(k.conkey) = 1 AND cr.relname = %s",
        [table],
    )
    return dict(cr.fetchall())


def columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def relation_tables(cr):
    """Tables without ``id`` (many2many relations) that reference a cloned
    table: {table: {column: referenced table}}."""
    cr.execute(
        "SELECT cr.relname FROM pg_constraint k "
        "JOIN pg_class cr ON cr.oid = k.conrelid "
        "JOIN pg_class cf ON cf.oid = k.confrelid "
        "WHERE k.contype = 'f' AND cf.relname = ANY(%s) AND NOT EXISTS ("
        "  SELECT 1 FROM pg_attribute a WHERE a.attrelid = cr.oid "
        "  AND a.attname = 'id' AND NOT a.attisdropped) "
        "GROUP BY cr.relname ORDER BY cr.relname",
        [CLONED_TABLES],
    )
    return {row[0]: foreign_keys(cr, row[0]) for row in cr.fetchall()}


def clone_templates(env, templates, count):
    """``count`` clones of the template cases, spread by scenario share
    (committed)."""
    from odoo.tools import SQL

    cr = env.cr
    by_scenario = defaultdict(list)
    for template in templates:
        by_scenario[template.scenario].append(template)
    copies = []  # (template index, clone number)
    shares = list(SCENARIOS.items())
    for position, (scenario, share) in enumerate(shares):
        total = (
            round(count * share) if position < len(shares) - 1 else count - len(copies)
        )
        group = by_scenario[scenario]
        for number in range(total):
            copies.append(templates.index(group[number % len(group)]))
    cr.execute(
        "CREATE TEMP TABLE bench_rows (tpl int, tbl text, old_id int);"
        "CREATE TEMP TABLE bench_copies (tpl int, idx int);"
        "CREATE TEMP TABLE bench_map (tbl text, old_id int, idx int, new_id int)"
    )
    for index, template in enumerate(templates):
        for table, ids in template_rows(env, template.case).items():
            if ids:
                cr.execute(
                    "INSERT INTO bench_rows SELECT %s, %s, unnest(%s::int[])",
                    [index, table, ids],
                )
    cr.execute(
        SQL(
            "INSERT INTO bench_copies SELECT * FROM unnest(%s::int[], %s::int[])",
            copies,
            list(range(1, len(copies) + 1)),
        )
    )
    for table in CLONED_TABLES:
        cr.execute(
            SQL(
                "INSERT INTO bench_map SELECT r.tbl, r.old_id, c.idx, "
                "nextval(%s) FROM bench_rows r JOIN bench_copies c ON c.tpl = r.tpl "
                "WHERE r.tbl = %s",
                f"{table}_id_seq",
                table,
            )
        )
    cr.execute("CREATE INDEX ON bench_map (tbl, old_id, idx); ANALYZE bench_map")
    deferred = []
    for position, table in enumerate(CLONED_TABLES):
        later = set(CLONED_TABLES[position + 1 :])
        deferred += clone_table(cr, table, later)
    for table, column, target in deferred:
        cr.execute(
            f'UPDATE {table} n SET "{column}" = mt.new_id '  # noqa: S608
            f"FROM bench_map mr JOIN {table} t ON t.id = mr.old_id "
            f'JOIN bench_map mt ON mt.tbl = %s AND mt.old_id = t."{column}" '
            "AND mt.idx = mr.idx WHERE mr.tbl = %s AND n.id = mr.new_id",
            [target, table],
        )
    for table, fks in relation_tables(cr).items():
        clone_relation(cr, table, fks)
    # names derived from the cloned rows
    cr.execute(
        "UPDATE account_move_line l SET move_name = m.name FROM bench_map b, "
        "account_move m WHERE b.tbl = 'account_move_line' AND l.id = b.new_id "
        "AND m.id = l.move_id;"
        "UPDATE account_payment p SET name = m.name FROM bench_map b, "
        "account_move m WHERE b.tbl = 'account_payment' AND p.id = b.new_id "
        "AND m.id = p.move_id;"
        "UPDATE account_move m SET payment_reference = m.name, "
        "invoice_partner_display_name = p.name FROM bench_map b, res_partner p "
        "WHERE b.tbl = 'account_move' AND m.id = b.new_id "
        "AND m.move_type = 'out_invoice' AND p.id = m.partner_id;"
        "UPDATE res_partner p SET commercial_company_name = p.name FROM bench_map b "
        "WHERE b.tbl = 'res_partner' AND p.id = b.new_id"
    )
    cr.execute("SELECT tbl, count(*) FROM bench_map GROUP BY tbl ORDER BY tbl")
    cloned = dict(cr.fetchall())
    cr.execute("DROP TABLE bench_rows, bench_copies, bench_map")
    cr.commit()
    env.invalidate_all()
    env.registry.clear_cache()
    return cloned


def clone_table(cr, table, later):
    """INSERT the clones of ``table``; return the references to write after
    the inserts: [(table, column, referenced table)]."""
    fks = foreign_keys(cr, table)
    overrides = OVERRIDES.get(table, {})
    names = [name for name in columns(cr, table) if name != "id"]
    joins, select, deferred = [], [], []
    for name in names:
        target = fks.get(name)
        if name in overrides:
            select.append(overrides[name])
        elif target in CLONED_TABLES:
            alias = f"f_{len(joins)}"
            joins.append(
                f"LEFT JOIN bench_map {alias} ON {alias}.tbl = '{target}' "
                f'AND {alias}.old_id = t."{name}" AND {alias}.idx = c.idx'
            )
            if target in later:
                select.append(f'CASE WHEN {alias}.new_id IS NULL THEN t."{name}" END')
                deferred.append((table, name, target))
            else:
                select.append(f'COALESCE({alias}.new_id, t."{name}")')
        elif name == "res_id" and table.startswith("mail_"):
            model = "model" if table == "mail_message" else "res_model"
            cases = " ".join(
                f"WHEN '{model_name}' THEN (SELECT new_id FROM bench_map "
                f"WHERE tbl = '{cloned}' AND old_id = t.res_id AND idx = c.idx)"
                for model_name, cloned in THREAD_TABLES.items()
            )
            select.append(f'COALESCE(CASE t."{model}" {cases} END, t.res_id)')
        else:
            select.append(f't."{name}"')
    quoted = ", ".join(f'"{name}"' for name in names)
    cr.execute(
        f"INSERT INTO {table} (id, {quoted}) SELECT c.new_id, {', '.join(select)} "  # noqa: S608
        f"FROM bench_map c JOIN {table} t ON t.id = c.old_id {' '.join(joins)} "
        "WHERE c.tbl = %s",
        [table],
    )
    return deferred


def clone_relation(cr, table, fks):
    """Clone the rows of the relation ``table`` that link cloned rows."""
    names = columns(cr, table)
    cloned_columns = [name for name in names if fks.get(name) in CLONED_TABLES]
    for position, driver in enumerate(cloned_columns):
        joins = [
            f"JOIN bench_map d ON d.tbl = '{fks[driver]}' AND d.old_id = t.\"{driver}\""
        ]
        select = []
        for name in names:
            if name == driver:
                select.append("d.new_id")
            elif name in cloned_columns:
                alias = f"f_{len(joins)}"
                joins.append(
                    f"LEFT JOIN bench_map {alias} ON {alias}.tbl = '{fks[name]}' "
                    f'AND {alias}.old_id = t."{name}" AND {alias}.idx = d.idx'
                )
                select.append(f'COALESCE({alias}.new_id, t."{name}")')
            else:
                select.append(f't."{name}"')
        # a row is cloned once, by its first cloned column
        earlier = " ".join(
            f"AND NOT EXISTS (SELECT 1 FROM bench_map e WHERE e.tbl = "
            f"'{fks[name]}' AND e.old_id = t.\"{name}\")"
            for name in cloned_columns[:position]
        )
        quoted = ", ".join(f'"{name}"' for name in names)
        cr.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {', '.join(select)} "  # noqa: S608
            f"FROM {table} t {' '.join(joins)} WHERE TRUE {earlier} "
            "ON CONFLICT DO NOTHING"
        )


# ---------------------------------------------------------------------------
# Data generation
# ---------------------------------------------------------------------------


def generate(env, args, today):
    """The template cases and their clones (committed), once."""
    existing = env["debt.negotiation"].search_count(
        [("partner_id.name", "=like", f"{PARTNER_PREFIX} %")]
    )
    if existing:
        print(f"data already generated ({existing} cloned cases): kept")
        return
    company = env.company
    company.negotiation_email = company.negotiation_email or "credit@example.com"
    if not company.negotiation_writeoff_account_id:
        company.negotiation_writeoff_account_id = env["account.account"].search(
            [("account_type", "=", "expense"), ("company_ids", "in", company.id)],
            limit=1,
        )
    env.cr.commit()
    start = wall_clock()
    templates = build_templates(env, args, today)
    count = args.cases - len(templates)
    cloned = clone_templates(env, templates, count)
    print(
        f"{count} cases cloned in {wall_clock() - start:.0f}s so far: "
        + ", ".join(f"{table} {rows}" for table, rows in cloned.items())
    )
    print_data(env)


def bench_domain():
    return [
        "|",
        ("partner_id.name", "=like", f"{PARTNER_PREFIX} %"),
        ("partner_id.name", "=like", f"{TEMPLATE_PREFIX} %"),
    ]


def print_data(env):
    """What the generated data holds."""
    Case = env["debt.negotiation"]
    cases = Case.search(bench_domain())
    Installment = env["debt.negotiation.installment"].with_context(active_test=False)
    states = Counter(dict(Case._read_group(bench_domain(), ["state"], ["__count"])))
    agreements = Counter(
        dict(
            env["debt.negotiation.agreement"]._read_group(
                [("negotiation_id", "in", cases.ids)], ["state"], ["__count"]
            )
        )
    )
    installments = Counter(
        dict(
            Installment._read_group(
                [("negotiation_id", "in", cases.ids)], ["state"], ["__count"]
            )
        )
    )
    promises = Counter(
        dict(
            env["debt.negotiation.promise"]._read_group(
                [("negotiation_id", "in", cases.ids)], ["state"], ["__count"]
            )
        )
    )
    print(
        f"data: {len(cases)} cases {dict(states)}; agreements {dict(agreements)}; "
        f"{sum(installments.values())} installments {dict(installments)}; "
        f"promises {dict(promises)}"
    )
    return len(cases)


# ---------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------


def phase_counter(label, spent):
    """Wrapper factory: adds the time and queries of each call to
    ``spent[label]`` (outermost calls only)."""

    def make_wrapper(method):
        def wrapper(records, *a, **kw):
            key = label(a) if callable(label) else label
            if key in spent["_active"]:
                return method(records, *a, **kw)
            spent["_active"].add(key)
            start, queries = wall_clock(), records.env.cr.sql_log_count
            try:
                return method(records, *a, **kw)
            finally:
                spent["_active"].discard(key)
                seconds, count, calls, handled = spent.get(key, (0.0, 0, 0, 0))
                spent[key] = (
                    seconds + wall_clock() - start,
                    count + records.env.cr.sql_log_count - queries,
                    calls + 1,
                    handled + len(records),
                )

        return wrapper

    return make_wrapper


def commit_probe(batches, cr):
    """Wrapper factory of ``Cursor.commit``: (seconds, queries, memory) since
    the previous commit of ``cr``."""
    last = {"time": wall_clock(), "queries": cr.sql_log_count}

    def make_wrapper(original):
        def commit(cursor, *a, **kw):
            result = original(cursor, *a, **kw)
            if cursor is cr:
                now = wall_clock()
                batches.append(
                    (now - last["time"], cr.sql_log_count - last["queries"], rss_mb())
                )
                last.update(time=now, queries=cr.sql_log_count)
            return result

        return commit

    return make_wrapper


def snapshot(env, case_ids):
    """Counts the run changes: states of cases, agreements, installments,
    promises; notices; letters; activities; messages."""
    cr = env.cr
    counts = {}
    for table, column in (
        ("debt_negotiation", "id"),
        ("debt_negotiation_agreement", "negotiation_id"),
        ("debt_negotiation_installment", "negotiation_id"),
        ("debt_negotiation_promise", "negotiation_id"),
    ):
        cr.execute(
            f"SELECT state, count(*) FROM {table} "  # noqa: S608
            f"WHERE {column} = ANY(%s) GROUP BY state",
            [case_ids],
        )
        counts[table] = dict(cr.fetchall())
    cr.execute(
        "SELECT count(reminder_date), count(late_notice_date) FROM "
        "debt_negotiation_installment WHERE negotiation_id = ANY(%s)",
        [case_ids],
    )
    counts["notices"] = cr.fetchone()
    for table, where in (
        ("debt_negotiation_letter", "negotiation_id = ANY(%s)"),
        ("mail_activity", "res_model = 'debt.negotiation' AND res_id = ANY(%s)"),
        ("mail_message", "model = 'debt.negotiation' AND res_id = ANY(%s)"),
        (
            "mail_mail",
            "mail_message_id IN (SELECT id FROM mail_message WHERE "
            "model = 'debt.negotiation' AND res_id = ANY(%s))",
        ),
    ):
        cr.execute(f"SELECT count(*) FROM {table} WHERE {where}", [case_ids])  # noqa: S608
        counts[table] = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM debt_negotiation_agreement WHERE "
        "negotiation_id = ANY(%s) AND writeoff_move_id IS NOT NULL",
        [case_ids],
    )
    counts["writeoffs"] = cr.fetchone()[0]
    return counts


def print_changes(before, after):
    for key in ("debt_negotiation", "debt_negotiation_agreement"):
        print(f"{key} states: {before[key]} -> {after[key]}")
    print(
        f"installment states: {before['debt_negotiation_installment']} -> "
        f"{after['debt_negotiation_installment']}"
    )
    print(
        f"promise states: {before['debt_negotiation_promise']} -> "
        f"{after['debt_negotiation_promise']}"
    )
    reminders = after["notices"][0] - before["notices"][0]
    late = after["notices"][1] - before["notices"][1]
    delta = {
        key: after[key] - before[key]
        for key in (
            "debt_negotiation_letter",
            "mail_activity",
            "mail_message",
            "mail_mail",
            "writeoffs",
        )
    }
    print(
        f"new: {reminders} reminders, {late} late notices, "
        f"{delta['debt_negotiation_letter']} letters, {delta['mail_activity']} "
        f"activities, {delta['mail_message']} case messages, {delta['mail_mail']} "
        f"emails queued, {delta['writeoffs']} write-offs"
    )


def print_batches(batches):
    """Time, queries and process memory per committed batch."""
    if not batches:
        return
    times = [b[0] for b in batches]
    queries = [b[1] for b in batches]
    memory = [b[2] for b in batches]
    print(
        f"{len(batches)} commits (batches): {statistics.mean(times):.2f}s and "
        f"{statistics.mean(queries):.0f} queries per batch on average (max "
        f"{max(times):.2f}s, {max(queries)} queries)"
    )
    print(f"process memory after commit {memory_marks(memory)}")


def measure_run(env, args, cases):
    """The cron method, as scheduled; per-phase and per-batch figures."""
    registry_cls = type(env.cr)
    Negotiation = env["debt.negotiation"].with_context(**skip_pdf())
    Agreement = type(env["debt.negotiation.agreement"])
    Installment = type(env["debt.negotiation.installment"])
    Promise = type(env["debt.negotiation.promise"])
    Case = type(env["debt.negotiation"])
    Move = type(env["account.move"])
    Line = type(env["account.move.line"])
    spent = {"_active": set()}
    origins = QueryOrigins()
    batches = []
    phases = [
        (Installment, "_refresh_state", "installment states"),
        # the breaks, cures and fulfilments: by batch, else one by one
        (Agreement, "_monitor_run_batch", lambda a: a[0]),
        (Agreement, "_monitor_run", lambda a: a[0]),
        (Installment, "_send_notices", "notices"),
        (Promise, "_evaluate_pending", "promises"),
        (Case, "_settle_paid_cases", "paid cases settled"),
    ]
    case_ids = cases.ids
    before = snapshot(env, case_ids)
    env.cr.commit()
    with contextlib.ExitStack() as stack:
        for cls, name, label in phases:
            if hasattr(cls, name):
                stack.enter_context(patched(cls, name, phase_counter(label, spent)))
        stack.enter_context(
            patched(registry_cls, "commit", commit_probe(batches, env.cr))
        )
        # the queries of the Odoo APIs the monitor calls, by origin
        for cls, name, label in (
            (Case, "message_post", "chatter messages and emails"),
            (Case, "_log_notes", "chatter notes"),
            (Installment, "_post_notices", "chatter messages and emails"),
            (Case, "activity_schedule", "activities"),
            (Case, "_mail_batch_activities", "activities"),
            (Case, "_generate_letter", "letters"),
            (Move, "create", "accounting entries"),
            (Move, "_post", "accounting entries"),
            (Line, "_reconcile_plan", "accounting entries"),
        ):
            stack.enter_context(patched(cls, name, origins.counter(label)))
        env.invalidate_all()
        kwargs = {"batch_size": args.batch_size} if args.batch_size else {}
        with Probe(env.cr) as probe:
            calls = bench_odoo.cron_loop(
                Negotiation,
                "debt_negotiation.ir_cron_monitor_agreements",
                "_cron_monitor_agreements",
                limit=101,
                **kwargs,
            )
    after = snapshot(env, case_ids)
    count = len(case_ids)
    print(
        f"\n== _cron_monitor_agreements() with skip_pdf, {calls} calls of the "
        "cron loop =="
    )
    print(
        f"{count} cases: {probe.seconds:.1f}s wall time, {probe.queries} SQL "
        f"queries ({probe.queries / count:.3f} per case)"
    )
    spent.pop("_active")
    accounted = 0
    for key, (seconds, queries, calls, handled) in spent.items():
        accounted += queries
        # model methods run on an empty recordset: count the calls
        records = f" on {handled} records" if handled else ""
        print(
            f"  {key}: {seconds:.1f}s, {queries} queries in {calls} calls{records} "
            f"({queries / max(handled or calls, 1):.1f} per "
            f"{'record' if handled else 'call'})"
        )
    print(f"  searches and the rest: {probe.queries - accounted} queries")
    own = probe.queries - sum(origins.values())
    print(
        "queries by origin: "
        + ", ".join(f"{name} {queries}" for name, queries in sorted(origins.items()))
        + f"; the monitor itself {own} ({own / count:.3f} per case)"
    )
    print_batches(batches)
    print_changes(before, after)
    return probe


def main(argv=None):
    args, odoo_args = parse_args(argv)
    registry = bench_odoo.bootstrap(args, odoo_args)
    from odoo import fields

    with bench_odoo.environment(registry) as env:
        today = fields.Date.context_today(env["debt.negotiation"])
        generate(env, args, today)
    if args.skip_run:
        return
    with bench_odoo.environment(registry) as env:
        print(f"\nbench day {today}, process memory {rss_mb():.0f} MB")
        cases = env["debt.negotiation"].search(bench_domain())
        print_data(env)
        probe = measure_run(env, args, cases)
        print_data(env)
    print(
        f"RESULT monitor_seconds={probe.seconds:.1f} "
        f"queries_per_case={probe.queries / len(cases):.3f} cases={len(cases)}"
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark: the ageing pivot and the receivable's health over a large
receivable.

Runs against a database where ``debt_negotiation`` is installed, with the
python of Odoo (command line and bootstrap: see bench_odoo.py)::

    python scripts/bench_aging.py [--debtors 10000] [--invoices-per-debtor 10] \\
        -- -c odoo.conf -d DATABASE

The data (debtors, their posted invoices spread from 8 to about 110 days
past due and some not yet due, one open case per debtor shared among five
negotiators) is generated once per database and committed: the invoices are
cloned in SQL from one ORM invoice (bench_followups.create_invoices).

What is measured (wall clock, best of ``--repeat`` after one warm-up):

* ``pivot``: the ageing pivot as the web client asks it (``read_group`` by
  negotiator with the five buckets and the total summed);
* ``list``: the first page of the ageing list (80 rows, ordered by total);
* ``health``: the nightly update of the receivable's health (12 months of
  history, rolled back);
* ``statements`` (``--statements N``, 0 to skip): the statements of account
  of N debtors printed in one run (one PDF), against Odoo's invoice PDF for
  as many invoices in batches of 100 (as bench_letters.py measures it).

The last lines sum it up::

    RESULT aging_pivot_seconds=P aging_list_seconds=L health_seconds=H invoices=N
    RESULT statements_seconds=S invoices_seconds=I ratio=R statements=N

(targets: the pivot <= 1 s at 100,000 invoices and 10,000 debtors; the
statements' ratio <= 0.7).
"""

import sys
from datetime import timedelta

import bench_followups
import bench_odoo
from bench_odoo import Probe, load_average, wall_clock

PARTNER_PREFIX = "Bench Ageing Debtor"
NEGOTIATORS = 5
TARGET_PIVOT = 1.0
STATEMENT_REPORT = "debt_negotiation.action_report_statement"


def parse_args(argv=None):
    parser = bench_odoo.make_parser(__doc__.split("\n\n", 1)[0])
    parser.add_argument("--debtors", type=int, default=10000)
    parser.add_argument("--invoices-per-debtor", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--statements", type=int, default=500)
    return bench_odoo.parse_args(parser, argv)


def generate(env, args, today):
    """Debtors, invoices and cases, once per database (committed)."""
    existing = env["res.partner"].search_count(
        [("name", "=like", f"{PARTNER_PREFIX} %")]
    )
    if existing:
        print(f"data already generated ({existing} debtors): kept")
        return
    from odoo.tools import split_every

    term = env.ref("account.account_payment_term_immediate")
    start = wall_clock()
    partner_ids = []
    for chunk in split_every(1000, range(args.debtors)):
        partner_ids += (
            env["res.partner"]
            .create(
                [
                    {
                        "name": f"{PARTNER_PREFIX} {index:05d}",
                        "is_company": True,
                        "property_payment_term_id": term.id,
                    }
                    for index in chunk
                ]
            )
            .ids
        )
    env.cr.commit()
    # bench_followups clones --invoices-per-case invoices per debtor, the
    # oldest 8 to 90 days past due, then one every 2 days; shift a tenth of
    # the debtors 20 days into the future (not due yet) and a tenth 60 days
    # further into the past
    clone_args = type("Args", (), {"invoices_per_case": args.invoices_per_debtor})
    moves = bench_followups.create_invoices(env, clone_args, today, partner_ids, term)
    print(
        f"{args.debtors * args.invoices_per_debtor} invoices cloned "
        f"({wall_clock() - start:.1f}s)"
    )
    shift_dates(env, partner_ids)
    users = negotiators(env)
    create_cases(env, partner_ids, moves, users)
    print(f"{len(partner_ids)} cases created ({wall_clock() - start:.1f}s)")


def shift_dates(env, partner_ids):
    cr = env.cr
    for shift, subset in ((+30, partner_ids[::10]), (-60, partner_ids[5::10])):
        cr.execute(
            "UPDATE account_move_line SET date_maturity = date_maturity + %s "
            "WHERE partner_id = ANY(%s) AND date_maturity IS NOT NULL",
            [shift, subset],
        )
        cr.execute(
            "UPDATE account_move SET invoice_date_due = invoice_date_due + %s "
            "WHERE partner_id = ANY(%s)",
            [shift, subset],
        )
    cr.commit()


def negotiators(env):
    Users = env["res.users"].with_context(no_reset_password=True)
    group = env.ref("debt_negotiation.group_negotiation_user")
    users = Users.search([("login", "=like", "bench.aging.%")])
    for index in range(len(users), NEGOTIATORS):
        users |= Users.create(
            {
                "name": f"Bench Negotiator {index}",
                "login": f"bench.aging.{index}",
                "groups_id": [(4, group.id), (4, env.ref("base.group_user").id)],
            }
        )
    env.cr.commit()
    return users


def create_cases(env, partner_ids, moves, users):
    """One case per debtor holding its overdue invoices, through the ORM by
    batches (committed)."""
    from odoo import Command
    from odoo.tools import split_every

    company = env.company
    Negotiation = env["debt.negotiation"].with_context(mail_create_nolog=True)
    today = bench_odoo_today(env)
    for index, chunk in enumerate(split_every(500, partner_ids)):
        overdue = {
            pid: [
                m.id
                for m in env["account.move"].browse(moves[pid])
                if m.invoice_date_due < today
            ]
            for pid in chunk
        }
        Negotiation.create(
            [
                {
                    "partner_id": pid,
                    "company_id": company.id,
                    "currency_id": company.currency_id.id,
                    "invoice_ids": [Command.set(overdue[pid])],
                    "user_id": users[(index + k) % len(users)].id,
                }
                for k, pid in enumerate(chunk)
                if overdue[pid]
            ]
        )
        env.cr.commit()
        env.invalidate_all()


def bench_odoo_today(env):
    from odoo import fields

    return fields.Date.context_today(env["debt.negotiation"])


def best(env, repeat, func):
    """Best wall time (and its queries) of ``func`` over ``repeat`` runs
    after a warm-up."""
    func()
    runs = []
    for _i in range(repeat):
        env.invalidate_all()
        with Probe(env.cr) as probe:
            func()
        runs.append((probe.seconds, probe.queries))
    return min(runs)


def main(argv=None):
    args, odoo_args = parse_args(argv)
    registry = bench_odoo.bootstrap(args, odoo_args)
    with bench_odoo.environment(registry) as env:
        generate(env, args, bench_odoo_today(env) - timedelta(days=0))
    with bench_odoo.environment(registry) as env:
        Aging = env["debt.negotiation.aging"]
        measures = ["amount_not_due:sum", "amount_1_30:sum", "amount_31_60:sum"]
        measures += ["amount_61_90:sum", "amount_over_90:sum", "amount_total:sum"]
        count = env["account.move"].search_count(
            [
                ("partner_id.name", "=like", f"{PARTNER_PREFIX} %"),
                ("state", "=", "posted"),
            ]
        )
        print(f"load average before: {load_average()}; invoices: {count}")
        pivot, pivot_q = best(
            env, args.repeat, lambda: Aging.read_group([], measures, ["user_id"])
        )
        listing, list_q = best(
            env,
            args.repeat,
            lambda: Aging.search_read(
                [], ["partner_id", "user_id", "amount_total"], limit=80
            ),
        )
        print(f"pivot by negotiator: {pivot:.3f}s ({pivot_q} queries)")
        print(f"list, first page: {listing:.3f}s ({list_q} queries)")
        start = wall_clock()
        env["debt.negotiation.health"]._update(env.company)
        health = wall_clock() - start
        print(f"health, 12 months of history: {health:.2f}s")
        env.cr.rollback()
    print(
        f"RESULT aging_pivot_seconds={pivot:.3f} aging_list_seconds={listing:.3f} "
        f"health_seconds={health:.2f} invoices={count}"
    )
    if pivot > TARGET_PIVOT:
        print(f"the pivot took more than {TARGET_PIVOT} s")
    if args.statements:
        with (
            bench_odoo.environment(registry) as env,
            bench_odoo.report_server(env, args),
        ):
            measure_statements(env, args.statements)
    return 0


def measure_statements(env, count):
    """Statements of ``count`` debtors in one run vs Odoo's invoice PDF for
    as many invoices (batches of 100, merged)."""
    import bench_letters

    partners = env["res.partner"].search(
        [("name", "=like", f"{PARTNER_PREFIX} %")], limit=count + 1, order="id"
    )
    invoices = env["account.move"].search(
        [("partner_id", "in", partners.ids), ("state", "=", "posted")],
        limit=count + 1,
        order="id",
    )
    Report = env["ir.actions.report"]
    # warm-up (asset bundles, templates), not timed
    Report._render_qweb_pdf(STATEMENT_REPORT, partners[:1].ids)
    Report._render_qweb_pdf(bench_letters.INVOICE_REPORT, invoices[:1].ids)
    partners, invoices = partners[1:], invoices[1:]
    invoices_seconds = bench_letters.time_invoices_in_batches(env, invoices, 100)
    start = wall_clock()
    content, _type = Report._render_qweb_pdf(STATEMENT_REPORT, partners.ids)
    seconds = wall_clock() - start
    print(
        f"statements of {len(partners)} debtors: {seconds:.2f}s, {len(content)} bytes"
    )
    print(
        f"RESULT statements_seconds={seconds:.2f} "
        f"invoices_seconds={invoices_seconds:.2f} "
        f"ratio={seconds / invoices_seconds:.2f} statements={len(partners)}"
    )


if __name__ == "__main__":
    sys.exit(main())

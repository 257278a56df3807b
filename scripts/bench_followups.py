#!/usr/bin/env python3
# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark of the scheduled follow-ups of debt_negotiation.

Runs against a real Odoo 18.0 database where ``debt_negotiation`` is
installed. It COMMITS generated data and follow-up results: use a
throwaway database.

1. Generates (once per database) the debtors, their overdue invoices and the
   open cases: ``--cases`` cases (default 10,000) over ``--cases x
   --invoices-per-case`` posted customer invoices (default 40,000). The
   first invoice is created and posted through the ORM; the others are
   cloned from it in bulk SQL (the ORM needs ~30 ms per posted invoice).
   The cases are created through the ORM, in batches. Each case is 8 to 90
   days overdue, so every case has a step due on the first run.
2. Optionally (``--race``) runs two workers at once on the same fresh cases,
   each in its own transaction on the same snapshot, and checks that every
   step was executed exactly once (one letter per step).
3. Decision phase: decides the follow-up of every candidate case, by
   batches, read-only.
4. Decision/record phase: the cron method itself,
   ``_cron_process_followups()``, under ``bench_odoo.skip_pdf()`` (letter
   records, chatter, activities, stages, schedules; no PDF), all the
   batches in one call (the scheduler does one per cron call, Odoo's cron
   loop committing each). Reports time, SQL queries and the process memory
   after each batch.
5. PDF rendering of ``--pdf-letters`` letters (default 500) generated in
   step 4, by chunks of ``--pdf-chunk`` letters per wkhtmltopdf run.
   wkhtmltopdf loads the report assets over HTTP, from ``--report-url`` or
   from a server of the database that the bench runs itself.
6. Optionally (``--days N``) the daily runs of the next N days (clock moved
   with freezegun): only the cases whose next step has come are handled.

With ``--scale 1000,10000`` the bench instead runs the cron method (step 4)
once per size on the same data: the first SIZE cases (its first batches),
in one transaction rolled back afterwards, so every size starts from the
same cases; it prints the time and queries per case of each size, then one
line per size::

    RESULT followups_seconds=S queries_per_case=Q ms_per_case=M cases=N

and the ratio of the largest size's time per case to the smallest's (1.0:
the cost per case is flat).

Usage, with the python of Odoo (command line and Odoo bootstrap: see
bench_odoo.py)::

    python scripts/bench_followups.py [--odoo-path DIR] [options] -- \\
        -c odoo.conf -d bench_db
"""

import argparse
import contextlib
import statistics
import sys
import threading
from datetime import timedelta

import bench_odoo
from bench_odoo import (
    Probe,
    QueryOrigins,
    load_average,
    memory_marks,
    patched,
    rss_mb,
    skip_pdf,
    wall_clock,
)

PARTNER_PREFIX = "Bench Debtor"
RACE_PREFIX = "Bench Race Debtor"


def parse_args(argv=None):
    parser = bench_odoo.make_parser(__doc__.split("\n\n", 1)[0])
    parser.add_argument("--cases", type=int, default=10000)
    parser.add_argument("--invoices-per-case", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--pdf-letters", type=int, default=500)
    parser.add_argument("--pdf-chunk", type=int, default=100)
    parser.add_argument(
        "--race", type=int, default=0, help="cases for the two-worker check (0: off)"
    )
    parser.add_argument(
        "--days",
        type=int,
        default=0,
        help="then run the cron on each of the next DAYS days (freezegun)",
    )
    parser.add_argument(
        "--skip-run", action="store_true", help="generate the data only"
    )
    parser.add_argument(
        "--scale",
        metavar="SIZES",
        type=parse_sizes,
        help="comma-separated numbers of cases (e.g. 1000,10000): time the cron "
        "on each, rolled back, and nothing else",
    )
    return bench_odoo.parse_args(parser, argv)


def parse_sizes(text):
    """``"1000,10000"`` -> ``[1000, 10000]``."""
    try:
        sizes = sorted({int(size) for size in text.split(",") if size.strip()})
    except ValueError:
        sizes = []
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError(
            "give positive numbers of cases, e.g. 1000,10000"
        )
    return sizes


# ---------------------------------------------------------------------------
# Data generation
# ---------------------------------------------------------------------------


def generate(env, args, today):
    """Create debtors, overdue invoices and open cases (committed), once."""
    existing = env["res.partner"].search_count(
        [("name", "=like", f"{PARTNER_PREFIX} %")]
    )
    if existing:
        print(f"data already generated ({existing} debtors): kept")
        return
    company = env.company
    company.negotiation_email = company.negotiation_email or "credit@example.com"
    if not env["debt.negotiation.followup.step"].search(
        [("company_id", "=", company.id)]
    ):
        sys.exit(f"{company.name} has no follow-up steps")
    term = env.ref("account.account_payment_term_immediate")
    start = wall_clock()
    partner_ids = create_debtors(env, args, term)
    print(f"debtors created in {wall_clock() - start:.1f}s")
    all_partners = partner_ids[PARTNER_PREFIX] + partner_ids[RACE_PREFIX]
    moves_by_partner = create_invoices(env, args, today, all_partners, term)
    print(
        f"{len(all_partners) * args.invoices_per_case} invoices cloned "
        f"({wall_clock() - start:.1f}s so far)"
    )
    create_cases(env, all_partners, moves_by_partner)
    print(f"{len(all_partners)} cases created in {wall_clock() - start:.1f}s")


def create_debtors(env, args, term):
    """The debtors of the bench and of the race check: {prefix: [ids]}."""
    from odoo.tools import split_every

    specs = [(PARTNER_PREFIX, args.cases), (RACE_PREFIX, args.race)]
    partner_ids = {}
    for prefix, count in specs:
        ids = []
        for chunk in split_every(1000, range(count)):
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"{prefix} {index:05d}",
                        "is_company": True,
                        "email": f"debtor.{prefix[6:10].lower()}{index}@example.com",
                        "street": f"{index} Bench Street",
                        "zip": "1000",
                        "city": "Brussels",
                        "property_payment_term_id": term.id,
                    }
                    for index in chunk
                ]
            )
            ids.extend(partners.ids)
        partner_ids[prefix] = ids
    env.cr.commit()
    return partner_ids


def create_template_invoice(env, partner_id, today, term):
    """One posted invoice through the ORM, cloned by create_invoices()."""
    from odoo import Command

    company = env.company
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    account = env["account.account"].search(
        [("account_type", "=", "income"), ("company_ids", "in", company.id)], limit=1
    )
    template = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner_id,
            "invoice_date": today - timedelta(days=30),
            "journal_id": journal.id,
            "invoice_payment_term_id": term.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Bench service",
                        "quantity": 1,
                        "price_unit": 100.0,
                        "account_id": account.id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
    )
    template.action_post()
    env.flush_all()
    return template


def fill_bench_map(cr, rows):
    """The temporary table bench_map: one row per invoice to clone."""
    from odoo.tools import SQL, split_every

    cr.execute(
        "CREATE TEMP TABLE bench_map (idx int, partner_id int, due date, "
        "name varchar, move_id int)"
    )
    for chunk in split_every(5000, rows):
        cr.execute(
            SQL(
                "INSERT INTO bench_map (idx, partner_id, due, name) "
                "SELECT i, p, d, 'BENCH/' || lpad(i::text, 6, '0') "
                "FROM unnest(%s::int[], %s::int[], %s::date[]) AS t(i, p, d)",
                [r[0] for r in chunk],
                [r[1] for r in chunk],
                [r[2] for r in chunk],
            )
        )


def create_invoices(env, args, today, partner_ids, term):
    """``--invoices-per-case`` overdue invoices per debtor, cloned in SQL
    from one ORM invoice; returns {partner id: [move ids]} (committed)."""
    cr = env.cr
    template = create_template_invoice(env, partner_ids[0], today, term)
    per_case = args.invoices_per_case
    rows = []
    for case_index, partner_id in enumerate(partner_ids):
        oldest = today - timedelta(days=8 + case_index % 83)
        for k in range(per_case):
            rows.append(
                (case_index * per_case + k, partner_id, oldest + timedelta(days=2 * k))
            )
    fill_bench_map(cr, rows)
    clone(
        cr,
        "account_move",
        "m.id = %(template)s",
        MOVE_OVERRIDES,
        "m",
        "FROM account_move m, bench_map b JOIN res_partner p ON p.id = b.partner_id",
        template.id,
    )
    cr.execute(
        "UPDATE bench_map b SET move_id = m.id FROM account_move m "
        "WHERE m.name = b.name AND m.journal_id = %s",
        [template.journal_id.id],
    )
    clone(
        cr,
        "account_move_line",
        "l.move_id = %(template)s",
        LINE_OVERRIDES,
        "l",
        "FROM account_move_line l, bench_map b",
        template.id,
    )
    cr.execute(
        "SELECT partner_id, array_agg(move_id ORDER BY idx) FROM bench_map "
        "GROUP BY partner_id"
    )
    moves_by_partner = dict(cr.fetchall())
    template.button_cancel()  # only the clones count
    cr.commit()
    env.invalidate_all()
    return moves_by_partner


def create_cases(env, partner_ids, moves_by_partner):
    """One open case per debtor, through the ORM, by batches (committed)."""
    from odoo import Command
    from odoo.tools import split_every

    company = env.company
    # as the scheduler's auto-open creates them: the negotiator follows each
    # case without an email per case
    Negotiation = env["debt.negotiation"].with_context(
        mail_create_nolog=True, mail_auto_subscribe_no_notify=True
    )
    for chunk in split_every(500, partner_ids):
        Negotiation.create(
            [
                {
                    "partner_id": partner_id,
                    "company_id": company.id,
                    "currency_id": company.currency_id.id,
                    "invoice_ids": [Command.set(moves_by_partner[partner_id])],
                    "user_id": env.ref("base.user_admin").id,
                }
                for partner_id in chunk
            ]
        )
        env.cr.commit()
        env.invalidate_all()


# Columns of the cloned invoices and lines: SQL expressions over bench_map b
# (and the debtor p), the others are copied from the template.
MOVE_OVERRIDES = {
    "name": "b.name",
    "partner_id": "b.partner_id",
    "commercial_partner_id": "b.partner_id",
    "partner_shipping_id": "b.partner_id",
    "invoice_partner_display_name": "p.name",
    "invoice_date": "b.due",
    "invoice_date_due": "b.due",
    "date": "b.due",
    "payment_reference": "b.name",
    "sequence_prefix": "'BENCH/'",
    "sequence_number": "b.idx",
    "access_token": "NULL",
    "create_date": "now() at time zone 'UTC'",
    "write_date": "now() at time zone 'UTC'",
}
LINE_OVERRIDES = {
    "move_id": "b.move_id",
    "partner_id": "b.partner_id",
    "date": "b.due",
    "invoice_date": "b.due",
    "date_maturity": "CASE WHEN l.date_maturity IS NULL THEN NULL ELSE b.due END",
    "move_name": "b.name",
    "create_date": "now() at time zone 'UTC'",
    "write_date": "now() at time zone 'UTC'",
}


def clone(cr, table, where, overrides, alias, from_clause, template_id):
    """INSERT ... SELECT a copy of the template rows of ``table`` per
    bench_map row, with ``overrides`` (column: SQL expression)."""
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        [table],
    )
    columns = [row[0] for row in cr.fetchall()]
    quoted = ", ".join(f'"{column}"' for column in columns)
    select = ", ".join(
        overrides.get(column, f'{alias}."{column}"') for column in columns
    )
    cr.execute(
        f"INSERT INTO {table} ({quoted}) SELECT {select} {from_clause} WHERE {where}",
        {"template": template_id},
    )


# ---------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------


def race(registry, args, today):
    """Two workers on the same cases at once: each step runs exactly once."""
    with bench_odoo.environment(registry) as env:
        case_ids = (
            env["debt.negotiation"]
            .search([("partner_id.name", "=like", f"{RACE_PREFIX} %")])
            .ids
        )
    if not case_ids:
        return
    barrier = threading.Barrier(2)
    results = {}

    def worker(name):
        with bench_odoo.environment(registry, skip_pdf()) as env:
            env.cr.execute("SELECT 1")  # take the snapshot before the other commits
            barrier.wait()
            cases = env["debt.negotiation"].browse(case_ids)
            start = wall_clock()
            stats = env["debt.negotiation.followup.engine"]._process_batch(cases, today)
            results[name] = (dict(stats), wall_clock() - start)

    threads = [threading.Thread(target=worker, args=(name,)) for name in "AB"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("\n== Two workers at once on the same %d cases ==" % len(case_ids))
    for name, (stats, seconds) in sorted(results.items()):
        print(f"worker {name}: {stats} in {seconds:.1f}s")
    print_race_outcome(registry, case_ids)


def print_race_outcome(registry, case_ids):
    """Steps logged and letters of the race cases; no step twice."""
    with bench_odoo.environment(registry) as env:
        cr = env.cr
        cr.execute(
            "SELECT count(*) FROM (SELECT 1 FROM debt_negotiation_followup_log "
            "WHERE negotiation_id = ANY(%s) GROUP BY negotiation_id, step_id "
            "HAVING count(*) > 1) dup",
            [case_ids],
        )
        duplicates = cr.fetchone()[0]
        cr.execute(
            "SELECT count(DISTINCT negotiation_id), count(*) FROM "
            "debt_negotiation_followup_log WHERE negotiation_id = ANY(%s)",
            [case_ids],
        )
        logged_cases, logs = cr.fetchone()
        cr.execute(
            "SELECT count(*) FROM debt_negotiation_letter l "
            "JOIN debt_negotiation_followup_log_letter_rel r ON r.letter_id = l.id "
            "WHERE l.negotiation_id = ANY(%s)",
            [case_ids],
        )
        linked_letters = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM debt_negotiation_letter "
            "WHERE negotiation_id = ANY(%s)",
            [case_ids],
        )
        letters = cr.fetchone()[0]
    print(
        f"cases with a step executed: {logged_cases}/{len(case_ids)}, steps logged: "
        f"{logs}, duplicated (case, step): {duplicates}, letters: {letters} "
        f"(all linked to their step: {letters == linked_letters})"
    )


def measure_decisions(env, args, today):
    """The decision phase alone (read-only), by batches."""
    from odoo.tools import split_every

    Negotiation = env["debt.negotiation"]
    Engine = env["debt.negotiation.followup.engine"]
    env.invalidate_all()
    with Probe(env.cr) as probe:
        ids = Negotiation.search(Engine._candidate_domain(today), order="id").ids
        ladders = env["debt.negotiation.followup.step"]._ladders()
        due = 0
        for batch_ids in split_every(args.batch_size, ids):
            for decision in Engine._decide(
                Negotiation.browse(batch_ids), today, ladders
            ):
                if decision.step:
                    due += 1
                    Engine._step_problem(decision.case, decision.step)
            env.invalidate_all()
    print("\n== Decision phase (read-only) ==")
    report(probe, len(ids))
    print(f"cases with a step due: {due}")
    return len(ids)


def batch_probe(batches):
    """Wrapper factory: appends (seconds, queries, memory) per batch."""

    def make_wrapper(original):
        def probed(records, *a, **kw):
            start, queries = wall_clock(), records.env.cr.sql_log_count
            stats = original(records, *a, **kw)
            batches.append(
                (wall_clock() - start, records.env.cr.sql_log_count - queries, rss_mb())
            )
            return stats

        return probed

    return make_wrapper


def print_batches(batches, batch_size):
    """Time and queries per batch, and the process memory along the run."""
    if not batches:
        return
    times = [b[0] for b in batches]
    queries = [b[1] for b in batches]
    memory = [b[2] for b in batches]
    print(
        f"{len(batches)} batches of {batch_size}: "
        f"{statistics.mean(times):.2f}s and {statistics.mean(queries):.0f} "
        f"queries per batch on average (max {max(times):.2f}s, "
        f"{max(queries)} queries)"
    )
    if len(times) >= 4:
        print(
            "time per batch: first two %.2fs, last two %.2fs"
            % (statistics.mean(times[:2]), statistics.mean(times[-2:]))
        )
    print(f"process memory after batch {memory_marks(memory)}")


def measure_run(env, args):
    """The cron method with skip_pdf; per-batch time, queries and memory."""
    Negotiation = env["debt.negotiation"].with_context(
        debt_negotiation_followup_batch_size=args.batch_size, **skip_pdf()
    )
    cls = type(Negotiation)
    batches = []
    # queries spent in the APIs the follow-ups call (letters, escalation)
    spent = QueryOrigins()
    with contextlib.ExitStack() as stack:
        stack.enter_context(
            patched(
                type(env["debt.negotiation.followup.engine"]),
                "_process_batch",
                batch_probe(batches),
            )
        )
        for name in ("_generate_letter", "action_escalate", "activity_schedule"):
            stack.enter_context(patched(cls, name, spent.counter(name)))
        env.invalidate_all()
        with Probe(env.cr) as probe:
            stats = Negotiation._cron_process_followups()
    print("\n== Decision/record phase: _cron_process_followups() with skip_pdf ==")
    report(probe, stats["cases"])
    print(f"outcome: {dict(stats)}")
    own = probe.queries - sum(spent.values())
    count = max(stats["cases"], 1)
    print(
        "queries by origin: "
        + ", ".join(f"{name}() {queries}" for name, queries in sorted(spent.items()))
        + f"; the follow-up engine itself {own} ({own / count:.3f} per case)"
    )
    print_batches(batches, args.batch_size)
    return stats


def measure_pdf(env, args):
    """PDF rendering of letters generated without PDF, by chunks."""
    from odoo.tools import split_every

    Letter = env["debt.negotiation.letter"]
    letters = Letter.search(
        [
            ("attachment_id", "=", False),
            ("partner_id.name", "=like", f"{PARTNER_PREFIX} %"),
        ],
        limit=args.pdf_letters,
        order="id",
    )
    if not letters:
        return
    env.invalidate_all()
    with Probe(env.cr) as probe:
        for chunk in split_every(args.pdf_chunk, letters.ids, Letter.browse):
            chunk._ensure_pdf()
            env.cr.commit()
            env.invalidate_all()
    types = {}
    for letter in Letter.browse(letters.ids):
        types[letter.letter_type] = types.get(letter.letter_type, 0) + 1
    mimetypes = set(Letter.browse(letters.ids).attachment_id.mapped("mimetype"))
    print(
        f"\n== PDF rendering of {len(letters)} letters ({types}), "
        f"{args.pdf_chunk} per wkhtmltopdf run =="
    )
    report(probe, len(letters), unit="letter")
    print(f"stored as: {', '.join(sorted(mimetypes))}")


def measure_days(env, args, today):
    """The following days: each run only handles the cases due that day."""
    from freezegun import freeze_time

    Negotiation = env["debt.negotiation"].with_context(
        debt_negotiation_followup_batch_size=args.batch_size, **skip_pdf()
    )
    print(f"\n== The next {args.days} days (skip_pdf) ==")
    totals = [0, 0, 0.0, 0]
    for offset in range(1, args.days + 1):
        day = today + timedelta(days=offset)
        with freeze_time(f"{day.isoformat()} 12:00:00"):
            env.invalidate_all()
            with Probe(env.cr) as probe:
                stats = Negotiation._cron_process_followups()
            env.cr.commit()
        totals[0] += stats["cases"]
        totals[1] += stats["executed"]
        totals[2] += probe.seconds
        totals[3] += probe.queries
        if stats["cases"]:
            print(
                f"{day}: {stats['cases']} cases looked at, {stats['executed']} steps "
                f"executed, {probe.seconds:.1f}s, {probe.queries} queries "
                f"({probe.queries / stats['cases']:.2f} per case)"
            )
    print(
        f"total: {totals[0]} cases looked at, {totals[1]} steps executed, "
        f"{totals[2]:.1f}s, {totals[3]} queries"
    )


def report(probe, count, unit="case"):
    per = probe.queries / count if count else 0.0
    print(
        f"{count} {unit}s: {probe.seconds:.1f}s wall time, {probe.queries} SQL "
        f"queries ({per:.3f} per {unit}), {probe.seconds / max(count, 1) * 1000:.2f} "
        f"ms per {unit}"
    )


def run_problems(env):
    """The problems the last run noted (each case skipped or failed, and
    why), before it is rolled back: [((a case, reason), count)]."""
    run = env["debt.negotiation.run"].search([], order="id desc", limit=1)
    reasons = {}
    for line in run.line_ids:
        entry = reasons.setdefault(line.reason, [line.negotiation_id.name, 0])
        entry[1] += 1
    return [((case, reason), count) for reason, (case, count) in reasons.items()]


def measure_scale(registry, args):
    """The cron method on the first SIZE cases for each size of
    ``--scale``, each in one transaction rolled back (nothing committed):
    the same starting data for every size."""
    results = []
    for size in args.scale:
        with bench_odoo.environment(registry) as env:
            candidates = env["debt.negotiation"].search_count(
                env["debt.negotiation.followup.engine"]._candidate_domain(
                    fields_today(env)
                )
            )
            if candidates < size:
                sys.exit(f"only {candidates} candidate cases, fewer than {size}")
            batches = []
            Negotiation = env["debt.negotiation"].with_context(
                debt_negotiation_followup_batch_size=args.batch_size,
                debt_negotiation_followup_max_batches=-(-size // args.batch_size),
                **skip_pdf(),
            )
            with patched(
                type(env["debt.negotiation.followup.engine"]),
                "_process_batch",
                batch_probe(batches),
            ):
                env.invalidate_all()
                with Probe(env.cr) as probe:
                    stats = Negotiation._cron_process_followups()
            problems = run_problems(env)
            env.cr.rollback()
        print(f"\n== {size} cases, rolled back (load {load_average()}) ==")
        report(probe, stats["cases"])
        print(f"outcome: {dict(stats)}")
        for (case, reason), count in problems:
            print(f"  skipped or failed: {count} x {reason} (e.g. {case})")
        print_batches(batches, args.batch_size)
        results.append((size, stats["cases"], probe))
    print()
    for _size, cases, probe in results:
        print(
            "RESULT followups_seconds=%.2f queries_per_case=%.3f ms_per_case=%.2f "
            "cases=%d"
            % (
                probe.seconds,
                probe.queries / max(cases, 1),
                probe.seconds / max(cases, 1) * 1000,
                cases,
            )
        )
    if len(results) > 1:
        (small, small_cases, first), (large, large_cases, last) = (
            results[0],
            results[-1],
        )
        ratio = (last.seconds / max(large_cases, 1)) / (
            first.seconds / max(small_cases, 1)
        )
        print(
            f"RESULT followups_cost_per_case_ratio={ratio:.2f} "
            f"(time per case, {large} vs {small} cases)"
        )


def fields_today(env):
    from odoo import fields

    return fields.Date.context_today(env["debt.negotiation"])


def run_measures(env, args, today):
    """The measures on one cursor, committed as the cron would."""
    print(f"\nbench day {today}, process memory {rss_mb():.0f} MB")
    measure_decisions(env, args, today)
    env.cr.rollback()
    measure_run(env, args)
    env.cr.commit()
    if args.pdf_letters:
        with bench_odoo.report_server(env, args):
            measure_pdf(env, args)
        env.cr.commit()
    if args.days:
        measure_days(env, args, today)


def main(argv=None):
    args, odoo_args = parse_args(argv)
    registry = bench_odoo.bootstrap(args, odoo_args)
    from odoo import fields

    with bench_odoo.environment(registry) as env:
        today = fields.Date.context_today(env["debt.negotiation"])
        generate(env, args, today)
    if args.skip_run:
        return
    if args.scale:
        measure_scale(registry, args)
        return
    if args.race:
        race(registry, args, today)
    with bench_odoo.environment(registry) as env:
        run_measures(env, args, today)


if __name__ == "__main__":
    main()

# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.3.0: follow-up steps belong to ladders (per customer segment).

Each company's existing steps become its ladder "Standard", the company's
default; the main company's is the ladder shipped as data
(``followup_ladder_default``), so that the update does not ship a second
one. Done before the models are loaded, so that the steps' new required
``ladder_id`` is filled when its NOT NULL constraint is set."""


def migrate(cr, version):
    if not version:
        return
    # steps before the due date (courtesy reminders) have a negative delay
    cr.execute(
        "ALTER TABLE debt_negotiation_followup_step "
        "DROP CONSTRAINT IF EXISTS debt_negotiation_followup_step_delay_positive"
    )
    cr.execute(
        "DELETE FROM ir_model_constraint "
        "WHERE name = 'debt_negotiation_followup_step_delay_positive'"
    )
    cr.execute(
        "DELETE FROM ir_model_data WHERE module = 'debt_negotiation' "
        "AND name = 'constraint_debt_negotiation_followup_step_delay_positive'"
    )
    cr.execute("SELECT to_regclass('debt_negotiation_followup_ladder')")
    if cr.fetchone()[0]:
        return
    cr.execute(
        """
        CREATE TABLE debt_negotiation_followup_ladder (
            id serial PRIMARY KEY,
            name jsonb NOT NULL,
            company_id integer NOT NULL,
            sequence integer,
            active boolean,
            create_date timestamp,
            write_date timestamp
        )
        """
    )
    cr.execute(
        """
        INSERT INTO debt_negotiation_followup_ladder
               (name, company_id, sequence, active, create_date, write_date)
        SELECT DISTINCT '{"en_US": "Standard"}'::jsonb, company_id, 100, true,
               now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM debt_negotiation_followup_step
        """
    )
    cr.execute(
        "ALTER TABLE debt_negotiation_followup_step "
        "ADD COLUMN IF NOT EXISTS ladder_id integer"
    )
    cr.execute(
        """
        UPDATE debt_negotiation_followup_step step
           SET ladder_id = ladder.id
          FROM debt_negotiation_followup_ladder ladder
         WHERE ladder.company_id = step.company_id
        """
    )
    cr.execute(
        "ALTER TABLE res_company "
        "ADD COLUMN IF NOT EXISTS negotiation_default_ladder_id integer"
    )
    cr.execute(
        """
        UPDATE res_company company
           SET negotiation_default_ladder_id = ladder.id
          FROM debt_negotiation_followup_ladder ladder
         WHERE ladder.company_id = company.id
        """
    )
    cr.execute(
        """
        INSERT INTO ir_model_data (module, name, model, res_id, noupdate)
        SELECT 'debt_negotiation', 'followup_ladder_default',
               'debt.negotiation.followup.ladder', ladder.id, true
          FROM debt_negotiation_followup_ladder ladder
          JOIN debt_negotiation_followup_step step
            ON step.ladder_id = ladder.id
          JOIN ir_model_data data
            ON data.module = 'debt_negotiation'
           AND data.name = 'followup_step_reminder'
           AND data.res_id = step.id
         LIMIT 1
        """
    )

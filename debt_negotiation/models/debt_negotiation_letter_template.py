# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re

from markupsafe import Markup, escape

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import html_translate

from ..const import LETTER_TYPES

PLACEHOLDER_RE = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
PLACEHOLDERS = (
    "debtor",
    "reference",
    "company",
    "department",
    "phone",
    "email",
    "negotiator",
    "date",
    "amount_due",
    "response_deadline",
    "next_date",
    "installment_amount",
    "installment_date",
    "grace_days",
    "previous_letters",
    "next_step",
    "agency",
    "handover_date",
    "salutation",
    "proposal",
    "cure",
    "payment_reference",
    "closure",
)


class DebtNegotiationLetterTemplate(models.Model):
    """The wording of one letter type, editable (and translatable) in the
    UI. The letter report prints the fixed parts (addresses, reference,
    invoice table, terms, schedule, how to respond, legal notice) and these
    texts around them. ``{{placeholder}}`` tokens are replaced when the
    letter is generated, in the debtor's language."""

    _name = "debt.negotiation.letter.template"
    _description = "Debt Negotiation Letter Wording"
    _order = "sequence, letter_type, company_id, id"
    _rec_name = "title"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    letter_type = fields.Selection(LETTER_TYPES, required=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to use this wording in every company without its own.",
    )
    debtor_type = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        help="The debtors this wording is for; empty: every debtor without a "
        "wording of its own type. A consumer's letters state its rights and "
        "threaten no step the follow-ups do not plan.",
    )
    title = fields.Char(
        required=True, translate=True, help="Heading of the letter, e.g. Final Notice."
    )
    intro = fields.Html(
        string="Opening",
        translate=html_translate,
        sanitize_attributes=False,
        help="Salutation and opening paragraphs, printed before the invoices.",
    )
    next_steps = fields.Html(
        string="What Happens Next",
        translate=html_translate,
        sanitize_attributes=False,
        help="What happens if the debtor does not answer, and when (for the "
        "agreement: what happens on default).",
    )
    closing = fields.Html(
        translate=html_translate,
        sanitize_attributes=False,
        help="Closing paragraph and greeting, printed before the signature.",
    )
    signatory = fields.Char(
        translate=True,
        help="Name printed under the greeting. Empty: the negotiations "
        "department of the company.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'debt.negotiation')]",
        help="Email used when this letter is sent by email; the letter PDF "
        "is attached to it.",
    )
    placeholder_help = fields.Html(compute="_compute_placeholder_help", sanitize=False)

    @api.constrains("letter_type", "company_id", "debtor_type", "active")
    def _check_unique_wording(self):
        for template in self.filtered("active"):
            duplicate = self.search_count(
                [
                    ("id", "!=", template.id),
                    ("letter_type", "=", template.letter_type),
                    ("company_id", "=", template.company_id.id),
                    ("debtor_type", "=", template.debtor_type),
                ]
            )
            if duplicate:
                raise ValidationError(
                    self.env._(
                        "There is already an active wording for this letter "
                        "type, company and debtor type."
                    )
                )

    def _compute_placeholder_help(self):
        tokens = Markup(", ").join(
            Markup("<code>{{%s}}</code>") % name for name in PLACEHOLDERS
        )
        for template in self:
            template.placeholder_help = tokens

    @api.model
    def _get_for(self, letter_type, company, debtor_type=False):
        """The wording of ``letter_type`` for ``company`` and a debtor of
        ``debtor_type``: of that type before one for every debtor, the
        company's own before the shared one."""
        return self.browse(self._get_id_for(letter_type, company.id, debtor_type))

    @api.model
    @tools.ormcache("letter_type", "company_id", "debtor_type")
    def _get_id_for(self, letter_type, company_id, debtor_type=False):
        templates = self.sudo().search(
            [
                ("letter_type", "=", letter_type),
                ("company_id", "in", [company_id, False]),
                ("debtor_type", "in", [debtor_type or False, False]),
            ]
        )
        template = (
            templates.filtered(
                lambda t: t.company_id.id == company_id and t.debtor_type
            )[:1]
            or templates.filtered(lambda t: t.debtor_type)[:1]
            or templates.filtered(lambda t: t.company_id.id == company_id)[:1]
            or templates[:1]
        )
        return template.id or None

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if {"letter_type", "company_id", "debtor_type", "active", "sequence"} & set(
            vals
        ):
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    def _render_texts(self, values):
        """Return the texts with ``values`` substituted (values are
        escaped unless already markup)."""

        def substitute(text, is_html):
            if not text:
                return Markup("") if is_html else ""

            def replace(match):
                if match.group(1) not in values:
                    return match.group(0)
                value = values[match.group(1)]
                if is_html:
                    return str(value if isinstance(value, Markup) else escape(value))
                # Plain text: no markup from the values.
                return value.striptags() if isinstance(value, Markup) else str(value)

            result = PLACEHOLDER_RE.sub(replace, str(text))
            return Markup(result) if is_html else result

        if not self:
            return {
                "title": "",
                "intro": Markup(""),
                "next_steps": Markup(""),
                "closing": Markup(""),
                "signatory": values.get("department", ""),
            }
        self.ensure_one()
        return {
            "title": substitute(self.title, False),
            "intro": substitute(self.intro, True),
            "next_steps": substitute(self.next_steps, True),
            "closing": substitute(self.closing, True),
            "signatory": substitute(self.signatory, False)
            or values.get("department", ""),
        }

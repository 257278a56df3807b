# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Ladders per customer segment.

A debtor follows its own ladder (``res.partner.negotiation_ladder_id``, per
company) when set, else the first ladder of the company whose segment
(partner tags, debtor type) it belongs to, else the company's default ladder
(``res.company.negotiation_default_ladder_id``; every company has one). The
matching itself is the pure rule :func:`~..tools.followup_ladder.match_ladder`.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import followup_ladder


class DebtNegotiationFollowupLadder(models.Model):
    _name = "debt.negotiation.followup.ladder"
    _description = "Debt Negotiation Follow-up Ladder"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10, help="The first ladder whose segment matches a debtor applies."
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    step_ids = fields.One2many(
        "debt.negotiation.followup.step",
        "ladder_id",
        string="Steps",
    )
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="For Debtors Tagged",
        help="The ladder applies to debtors with any of these tags (and of its "
        "debtor type, if set). A ladder without tags nor debtor type is no "
        "segment's: debtors follow it only when it is their own ladder or the "
        "company's default.",
    )
    debtor_type = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        help="The ladder applies to this kind of debtor only; empty for both.",
    )
    is_company_default = fields.Boolean(
        string="Company Default",
        compute="_compute_is_company_default",
        help="Debtors that no other ladder matches follow this one.",
    )
    step_count = fields.Integer(compute="_compute_step_count")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_is_company_default(self):
        for ladder in self:
            ladder.is_company_default = (
                ladder.company_id.sudo().negotiation_default_ladder_id == ladder
            )

    @api.depends("step_ids")
    def _compute_step_count(self):
        for ladder in self:
            ladder.step_count = len(ladder.step_ids)

    # ------------------------------------------------------------------
    # CRUD methods
    # ------------------------------------------------------------------
    @api.ondelete(at_uninstall=False)
    def _unlink_except_company_default(self):
        if any(ladder.is_company_default for ladder in self):
            raise UserError(
                self.env._(
                    "This ladder is its company's default: choose another "
                    "default ladder in the settings first, or archive its steps "
                    "to turn the follow-ups off."
                )
            )

    def action_archive(self):
        if any(ladder.is_company_default for ladder in self):
            raise UserError(
                self.env._(
                    "The company's default ladder cannot be archived: archive "
                    "its steps to turn the follow-ups off."
                )
            )
        return super().action_archive()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_make_company_default(self):
        """Make this ladder its company's default (managers)."""
        self.ensure_one()
        if not self.env.user.has_group("debt_negotiation.group_negotiation_manager"):
            raise UserError(
                self.env._("Only a negotiation manager can change the default ladder.")
            )
        self.company_id.sudo().negotiation_default_ladder_id = self
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _create_default(self, company):
        """Give ``company`` the default ladder (a copy of the one shipped as
        data, keeping its translations) with the default steps (see
        ``debt.negotiation.followup.step._create_default_steps``); it becomes
        the company's default."""
        shipped = self.env.ref(
            "debt_negotiation.followup_ladder_default", raise_if_not_found=False
        )
        if shipped:
            ladder = shipped.sudo().copy(
                {"company_id": company.id, "step_ids": False, "name": shipped.name}
            )
        else:
            ladder = self.sudo().create(
                {"company_id": company.id, "name": self.env._("Standard")}
            )
        self.env["debt.negotiation.followup.step"]._create_default_steps(ladder)
        company.sudo().negotiation_default_ladder_id = ladder
        return ladder

    @api.model
    def _for_debtors(self, pairs):
        """``{(partner id, company id): ladder id}`` for each ``(partner,
        company)`` of ``pairs`` (commercial partners): the ladder the debtor
        follows in that company (see the module's docstring). A few queries
        for any number of pairs."""
        pairs = {(partner, company) for partner, company in pairs}
        companies = self.env["res.company"].union(*(c for _p, c in pairs)).sudo()
        segments = defaultdict(list)
        for ladder in self.sudo().search([("company_id", "in", companies.ids)]):
            segments[ladder.company_id.id].append(
                followup_ladder.LadderSegment(
                    ladder.id,
                    frozenset(ladder.partner_category_ids.ids),
                    ladder.debtor_type or None,
                )
            )
        by_company = defaultdict(set)
        for partner, company in pairs:
            by_company[company].add(partner.id)
        found = {}
        for company, partner_ids in by_company.items():
            partners = self.env["res.partner"].sudo().with_company(company)
            ladders = segments[company.id]
            # read the debtors' tags and kind only when a segment asks
            by_tags = any(segment.tag_keys for segment in ladders)
            by_kind = any(segment.debtor_type for segment in ladders)
            for partner in partners.browse(list(partner_ids)):
                found[partner.id, company.id] = followup_ladder.match_ladder(
                    ladders,
                    partner.category_id.ids if by_tags else (),
                    partner._negotiation_debtor_kind() if by_kind else None,
                    partner.negotiation_ladder_id.id,
                    company.negotiation_default_ladder_id.id,
                )
        return found


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"

    followup_ladder_id = fields.Many2one(
        "debt.negotiation.followup.ladder",
        string="Follow-up Ladder",
        compute="_compute_followup_ladder_id",
        help="The ladder the follow-ups of this debtor go by: its own, else "
        "the first whose segment it belongs to, else the company's default.",
    )

    def _compute_followup_ladder_id(self):
        ladders = self._followup_ladder_map()
        for case in self:
            case.followup_ladder_id = ladders.get(case.id, False)

    def _followup_ladder_map(self):
        """``{case id: ladder id}``: the ladder each case's debtor follows."""
        found = self.env["debt.negotiation.followup.ladder"]._for_debtors(
            (case.partner_id.commercial_partner_id, case.company_id)
            for case in self
            if case.partner_id and case.company_id
        )
        return {
            case.id: found.get(
                (case.partner_id.commercial_partner_id.id, case.company_id.id)
            )
            for case in self
        }

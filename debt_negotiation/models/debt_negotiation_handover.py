# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import format_date

from ..tools import evidence
from .workflow import workflow


class DebtNegotiation(models.Model):
    """The hand-over of an escalated claim to a collection agency or a law
    firm: the dossier goes to them, the debtor is told who to deal with and
    since when, the negotiator follows it up, and the agency's reports are
    logged on the case."""

    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    agency_id = fields.Many2one(
        "res.partner",
        string="Collection Agency or Law Firm",
        compute="_compute_agency_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        check_company=True,
        help="Who the claim is handed over to when the case is escalated "
        "(by default the company's).",
    )
    handover_date = fields.Date(
        string="Handed Over On",
        readonly=True,
        copy=False,
        tracking=True,
        help="When the claim and its evidence dossier went to the agency.",
    )
    handover_dossier_id = fields.Many2one(
        "ir.attachment",
        string="Dossier Handed Over",
        readonly=True,
        copy=False,
        help="The evidence dossier sent to the agency (ZIP).",
    )

    handover_amount = fields.Monetary(
        string="Amount Handed Over",
        compute="_compute_handover_amount",
        help="What the agency is asked to collect, as the hand-over notice "
        "states it: the undisputed amount due, less unapplied credits.",
    )
    handover_invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices Handed Over",
        compute="_compute_handover_amount",
        help="The open invoices handed over: the disputed ones stay with us.",
    )

    @api.depends("company_id")
    def _compute_agency_id(self):
        for case in self:
            case.agency_id = case.company_id.negotiation_agency_id

    @api.depends("letter_ids", "invoice_ids.amount_residual", "amount_claimed")
    def _compute_handover_amount(self):
        for case in self:
            notice = case.letter_ids.filtered(
                lambda lt: lt.letter_type == "handover"
            ).sorted("id")[-1:]
            case.handover_amount = (
                notice.amount_due if notice else case._letter_amount("handover")
            )
            case.handover_invoice_ids = case.invoice_ids.filtered(
                lambda m: (
                    not m.negotiation_disputed
                    and not m.currency_id.is_zero(m.amount_residual)
                )
            )

    # ------------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------------
    def action_open_escalate_wizard(self):
        """ "Escalate": what the hand-over sends to whom, the disputed
        invoices kept back, then the escalation."""
        self.ensure_one()
        self._check_state(("open", "disputed", "broken"), "escalate")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Escalate"),
            "res_model": "debt.negotiation.escalate.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_negotiation_id": self.id},
        }

    def action_log_agency_report(self):
        """Log what the agency reports (a call, a letter, a payment plan it
        agreed...) as an interaction of the case."""
        action = self.action_log_call()
        action["name"] = self.env._("Log an Agency Report")
        action["context"] = dict(
            action["context"],
            default_direction="inbound",
            default_channel="email",
            default_counterpart="agency",
            default_contact_name=self.agency_id.name,
        )
        return action

    # ------------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------------
    def _handover(self):
        """Hand the escalated cases over to their agency, today: the debtor
        gets a letter naming the agency and the date, the dossier (with that
        letter) is assembled and kept, emailed to the agency when it has an
        address (else the negotiator sends it), the hand-over is logged as
        an interaction, and the negotiator gets an activity to follow it."""
        today = fields.Date.context_today(self)
        for case in self:
            workflow(case).write({"handover_date": today})
            # a debtor who never gets automatic letters (e.g. represented
            # by a lawyer): the notice waits in Letters to Send, by post
            channel = (
                "post"
                if case.partner_id.commercial_partner_id.negotiation_blocked
                else case._online_letter_channel()
            )
            letters = case._generate_letter("handover", channel=channel)
            if letters.channel == "email":
                letters._send_email()
            dossier = case._evidence_dossier_attachment()
            workflow(case).write({"handover_dossier_id": dossier.id})
            agency = case.agency_id
            sent = bool(agency.email)
            if sent:
                template = self.env.ref(
                    "debt_negotiation.mail_template_evidence_handover"
                )
                case._as_sender().message_post_with_source(
                    template,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                    partner_ids=agency.ids,
                    attachment_ids=dossier._negotiation_mail_copy().ids,
                    **case._mail_author_values(template),
                )
            facts = {
                "agency": agency.display_name,
                "date": format_date(self.env, today),
                "file": dossier.name,
                "sha": evidence.sha256(dossier.raw),
            }
            if sent:
                summary = self.env._(
                    "Claim handed over to %(agency)s on %(date)s: evidence "
                    "dossier emailed (%(file)s, SHA-256 %(sha)s).",
                    **facts,
                )
            else:
                summary = self.env._(
                    "Claim handed over to %(agency)s on %(date)s: evidence "
                    "dossier ready to send (%(file)s, SHA-256 %(sha)s).",
                    **facts,
                )
            self.env["debt.negotiation.interaction"].create(
                {
                    "negotiation_id": case.id,
                    "channel": "email" if sent else "other",
                    "direction": "outbound",
                    "counterpart": "agency",
                    "contact_name": agency.display_name,
                    "summary": summary,
                    "outcome": "other",
                }
            )
            case.with_context(mail_activity_quick_update=True).activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=today,
                summary=self.env._(
                    "Follow the hand-over to %(agency)s", agency=agency.display_name
                )
                if sent
                else self.env._(
                    "Send the evidence dossier to %(agency)s",
                    agency=agency.display_name,
                ),
                note=summary,
                user_id=case._activity_user_id(),
            )

# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Selections and state groups shared by the models, wizards and reports."""

MANAGER_GROUP = "debt_negotiation.group_negotiation_manager"

STATE_SELECTION = [
    ("open", "Open"),
    ("disputed", "Disputed"),
    ("agreement", "Agreement"),
    ("broken", "Broken Promise"),
    ("escalated", "Escalated"),
    ("settled", "Settled"),
    ("cancelled", "Cancelled"),
]
# States in which a case is "the debtor's open case": new invoices join it.
OPEN_STATES = ("open", "disputed", "agreement", "broken", "escalated")
# States in which the automatic follow-ups work on a case.
CHASING_STATES = ("open", "broken")
# States in which the follow-up ladder acts on the case's chased debt: under
# an agreement, only on the debt outside it (invoices due since).
FOLLOWED_STATES = (*CHASING_STATES, "agreement")
# States in which the debtor can dispute the claim.
DISPUTABLE_STATES = ("open", "agreement", "broken", "escalated")

# What the debtor disputes (action_dispute's ``reason_code``).
DISPUTE_REASONS = [
    ("not_received", "Goods or services not received"),
    ("wrong_amount", "Wrong amount"),
    ("quality", "Quality or defect"),
    ("already_paid", "Already paid"),
    ("not_ordered", "Not ordered"),
    ("other", "Other"),
]

LETTER_TYPES = [
    ("reminder", "Reminder"),
    ("negotiation", "Negotiation Letter"),
    ("final_notice", "Final Notice"),
    ("agreement", "Agreement Confirmation"),
    ("broken_promise", "Broken Promise"),
    ("handover", "Hand-over Notice"),
    ("closure", "Account Settled"),
]
# Letters the debtor has to answer (or pay) by a deadline.
DEADLINE_LETTER_TYPES = ("reminder", "negotiation", "final_notice", "broken_promise")

OFFER_TYPES = [
    ("settlement", "Settlement"),
    ("payment_plan", "Payment Plan"),
    ("full_payment", "Full Payment"),
    ("extension", "Extension"),
]

# How the debtor's agreement is confirmed (the agreement wizard; ``portal``:
# the debtor signed it online). The back office never draws the debtor's
# signature.
SIGNATURE_MODES = [
    ("written", "Confirmed in Writing"),
    ("countersigned", "Countersigned Copy Received"),
    ("esign", "Send for E-Signature"),
    ("portal", "Signed Online"),
]

# How the debtor agreed, for an agreement confirmed in writing by our letter
# ("Agreed by phone with Jane Smith on ...").
AGREED_CHANNELS = [
    ("phone", "Phone"),
    ("meeting", "Meeting"),
    ("email", "Email"),
    ("letter", "Letter"),
    ("other", "Other"),
]

# How a follow-up step reaches the debtor: a letter by post and/or email,
# or a short text message (SMS, through Odoo's sms module).
FOLLOWUP_CHANNELS = [
    ("post", "Post"),
    ("email", "Email"),
    ("both", "Post and Email"),
    ("sms", "SMS"),
]

# A contact's role in collections: who a follow-up step writes to (the
# invoicing contact by default) and who it copies.
CONTACT_ROLES = [
    ("accounts_payable", "Accounts Payable"),
    ("owner", "Owner or Director"),
    ("purchaser", "Purchaser"),
]

# Why the debtor does not pay (tip 11) and whether it can (seed 002): the
# priority of the case (tools.worklist) and the results use them.
NONPAYMENT_REASONS = [
    ("cash_flow", "Cash-flow Problems"),
    ("dispute", "Disputes the Claim"),
    ("forgot", "Forgot or Overlooked"),
    ("disorganised", "Disorganised"),
    ("wont_pay", "Will Not Pay"),
    ("insolvency", "Insolvency"),
    ("other", "Other"),
]
ABILITY_TO_PAY = [
    ("full", "Can Pay in Full"),
    ("partial", "Can Pay in Part or over Time"),
    ("none", "Cannot Pay Now"),
]

# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The house rule for what the addon carries in a context.

A context is what a client (JSON-RPC, XML-RPC, a crafted form) can send: a
plain context key is never trusted to decide anything. When server code
must tell a method something through the context, it puts there an object
of a type defined by the addon; the receiving code honours the key only
when the value *is* that object (a marker, compared by identity) or of that
type (a collector). A client can only send JSON values, so it can forge
neither. All of them:

* markers (module-private ``object()``, defined here):

  - the workflow token (:func:`workflow`, :func:`internal`): records allowed
    to change their workflow fields (states, the minimum flag, agreement
    data), handed out by the business methods after their checks; checked
    by :func:`is_workflow` / :func:`is_privileged`;
  - the PDF-skip marker (:func:`without_pdf`, :func:`skips_pdf`): letters
    generated without their PDF, for benchmarks and tests of what letters
    say;

* collectors (subclasses of :class:`ContextCollector`, compared by
  identity), each filled during one run and emptied at its end:

  - ``debt.negotiation.run``'s run in progress (``_RunInProgress``): the
    run record the scheduled work notes its problems in;
  - the activities of a run's call (``RunActivities``, defined here: the
    mail batch fills it, the run keeps it): the negotiators' digest instead
    of one notification per activity;
  - the tracking logs of one write (``_CollectedLogs``, mail tracking): created
    together;
  - the documents to seal at the end of a follow-up batch
    (``PendingSeals``, evidence mixin): one chain append per batch;

* the evidence summary's inputs (``SummaryInputs``, dossier): report data
  of that type only, so a client cannot make a summary print other hashes.

Odoo itself does the same for its narrow bypasses (``account``'s
``bypass_audit`` token). Where Odoo collects on its own (``cr.precommit``,
as ``mail.thread`` collects tracking), the addon does not add a collector.
"""

from odoo.exceptions import UserError

_KEY = "debt_negotiation_workflow"
_TOKEN = object()
# Letters generated without their PDF (rendered and stored on first print):
# for benchmarks and tests of what letters say, never for a client.
_SKIP_PDF_KEY = "debt_negotiation_skip_pdf"
_SKIP_PDF = object()


class ContextCollector:
    """Base of the collections a run keeps in a context key (logs, seals,
    activities to flush at its end): a type no client can send, compared by
    identity. Odoo hands out an existing environment whose context is
    equal to the one asked for, and two empty collections are equal: a
    run would then collect into another run's (or a client's) collection.
    """

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    __hash__ = object.__hash__


# Context key holding the activities one call of a scheduled run created,
# for the negotiators' digest (see debt.negotiation.followup.engine's
# _notify_negotiators).
RUN_ACTIVITIES_KEY = "debt_negotiation_followup_run_activities"


class RunActivities(ContextCollector, list):
    """Ids of the activities created by one call of a scheduled run: a type
    no RPC client can send in a context, so only a run collects them."""


def workflow(records):
    """``records`` allowed to change their workflow fields. Access rights
    and record rules still apply. Only for the business methods, after
    their checks."""
    return records.with_context(**{_KEY: _TOKEN})


def internal(records):
    """``records`` as superuser, allowed to create and change agreement data.

    Only for the agreement's own business methods, after their checks."""
    return workflow(records.sudo())


def is_workflow(records):
    """Whether ``records`` come from :func:`workflow` or :func:`internal`."""
    return records.env.context.get(_KEY) is _TOKEN


def is_privileged(records):
    """:func:`is_workflow`, or the superuser mode of server code (the
    scheduler, data files), which no client reaches."""
    return records.env.su or is_workflow(records)


def skip_pdf_context():
    """The context entry under which the letters generated skip their PDF
    (rendered and stored on their first print): benchmarks and tests of
    what letters say. A module-private object, as for :func:`workflow`: a
    client sending ``debt_negotiation_skip_pdf`` in its context is not
    heard."""
    return {_SKIP_PDF_KEY: _SKIP_PDF}


def without_pdf(records):
    """``records`` whose letters are generated without their PDF (see
    :func:`skip_pdf_context`)."""
    return records.with_context(**skip_pdf_context())


def skips_pdf(records):
    """Whether ``records`` come from :func:`without_pdf`."""
    return records.env.context.get(_SKIP_PDF_KEY) is _SKIP_PDF


def readonly_stored_computes(model):
    """Names of the stored computed fields of ``model`` that have no
    inverse: the ORM keeps them up to date, a client may not force them."""
    return {
        name
        for name, field in model._fields.items()
        if field.store and field.compute and field.readonly and not field.inverse
    }


def refuse_forced(records, names, message):
    """Raise ``message`` (a translated sentence with ``%(fields)s``) when a
    client's create or write gives the workflow fields ``names`` of
    ``records``."""
    if names:
        labels = ", ".join(
            records._fields[name]._description_string(records.env) for name in names
        )
        raise UserError(message % {"fields": labels})

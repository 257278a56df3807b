# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who may change the workflow fields (states, agreement data, installments).

Only the addon's own business methods change them, after their checks, on
records handed out by :func:`workflow` or :func:`internal`. The context key
carries a module-private object: a client (JSON-RPC, XML-RPC) can only send
JSON values, so it can never forge it. No plain context key is trusted.
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

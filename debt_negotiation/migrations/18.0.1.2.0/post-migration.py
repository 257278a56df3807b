# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.2.0 makes the letters and their covering emails true for the case
at hand: the debtor's contact greeted by name, the earlier letters only when
they went out, the next step the ladder plans, the amount of the letter
sent, one last chance of a broken agreement, the invoices' payment
references.

The default wording is shipped as ``noupdate`` records (users edit it), so
an update keeps what the database has. The records nobody edited (their
texts still exactly as 18.0.1.1.0 shipped them, ``previous_wording.json``)
get the new wording now, field by field, as an install would write it; the
translations of their new sentences are loaded right after this script
(the module's translations, which keep the sentences that did not change).
An edited record is left as it is.
"""

import json
import logging
import re

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools import convert, file_open

_logger = logging.getLogger(__name__)

MODULE = "debt_negotiation"
DATA_FILES = (
    "data/debt_negotiation_letter_template_data.xml",
    "data/mail_template_data.xml",
)


def _normalized(text):
    return re.sub(r"\s+", " ", text or "").strip()


def previous_wording():
    """``{xmlid: {field: text}}``: the texts 18.0.1.1.0 shipped, of the
    fields this version changes."""
    with file_open(f"{MODULE}/migrations/18.0.1.2.0/previous_wording.json") as file:
        return json.load(file)


def shipped_fields(env, xmlids):
    """``{xmlid: {field: value}}``: the values the module's data files give
    the fields of ``xmlids`` today, evaluated as an install does."""
    importer = convert.xml_import(env, MODULE, {}, mode="update", noupdate=False)
    values = {}
    for filename in DATA_FILES:
        with file_open(f"{MODULE}/{filename}", "rb") as file:
            tree = etree.parse(file)
        for record in tree.iter("record"):
            xmlid = f"{MODULE}.{record.get('id')}"
            if xmlid not in xmlids:
                continue
            values[xmlid] = {
                field.get("name"): convert._eval_xml(importer, field, env)
                for field in record.iter("field")
                if field.get("name") in xmlids[xmlid]
            }
    return values


def untouched(env, previous):
    """The xmlids of ``previous`` whose records still hold exactly the
    wording shipped before (nobody edited them)."""
    result = []
    for xmlid, fields in previous.items():
        record = env.ref(xmlid, raise_if_not_found=False)
        if not record:
            continue
        current = record.with_context(lang="en_US").read(list(fields))[0]
        if all(
            _normalized(current[name]) == _normalized(text)
            for name, text in fields.items()
        ):
            result.append(xmlid)
    return result


def update_wording(env):
    """Give the records nobody edited the wording shipped now; return
    their xmlids."""
    previous = previous_wording()
    xmlids = untouched(env, previous)
    shipped = shipped_fields(env, {xmlid: set(previous[xmlid]) for xmlid in xmlids})
    for xmlid in xmlids:
        env.ref(xmlid).with_context(lang="en_US").write(shipped[xmlid])
    _logger.info("Letter and email wording updated: %s", ", ".join(xmlids))
    return xmlids


def migrate(cr, version):
    if not version:
        return
    update_wording(api.Environment(cr, SUPERUSER_ID, {}))

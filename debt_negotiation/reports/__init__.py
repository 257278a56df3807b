from . import report_negotiation_letter

from . import report_negotiation_letter
from . import report_evidence_summary
from . import report_statement

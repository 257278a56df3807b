from . import debt_negotiation_run
from . import debt_negotiation_run_batch
from . import debt_negotiation_followup_engine
from . import debt_negotiation_agreement

from . import negotiation_rules
from . import followup_ladder
from . import interest
from . import forecast
from . import evidence
from . import automation
from . import portal_input
from . import legal

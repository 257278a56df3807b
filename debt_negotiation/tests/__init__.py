from . import test_invoice_partner
from . import test_negotiation
from . import test_offer
from . import test_interaction
from . import test_security
from . import test_agreements
from . import test_followups
from . import test_letters

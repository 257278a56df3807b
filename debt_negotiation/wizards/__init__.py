from . import debt_negotiation_agreement_wizard
from . import debt_negotiation_dispute_wizard
from . import debt_negotiation_letter_wizard
from . import mail_compose_message
from . import debt_negotiation_agreement_wizard_line
from . import debt_negotiation_agreement_cancel_wizard

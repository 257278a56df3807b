from . import debt_negotiation_sale_hold_wizard

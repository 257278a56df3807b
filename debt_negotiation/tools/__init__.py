from . import negotiation_rules

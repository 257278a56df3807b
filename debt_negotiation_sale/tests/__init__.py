from . import test_sale_credit_hold
from . import test_sale_credit_hold_tour

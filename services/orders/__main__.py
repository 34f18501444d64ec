import sys

from accord.runtime import serve_main
from services.orders.app import create

sys.exit(serve_main("orders", create, 8102))

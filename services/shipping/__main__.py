import sys

from accord.runtime import serve_main
from services.shipping.app import create

sys.exit(serve_main("shipping", create, 8105))

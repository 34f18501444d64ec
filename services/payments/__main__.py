import sys

from accord.runtime import serve_main
from services.payments.app import create

sys.exit(serve_main("payments", create, 8103))

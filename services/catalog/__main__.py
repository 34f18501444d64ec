import sys

from accord.runtime import serve_main
from services.catalog.app import create

sys.exit(serve_main("catalog", create, 8101))

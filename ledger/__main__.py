"""``python -m ledger``: run the embedded ledger with the ``LSO_LEDGER_*`` settings."""

from ledger.server import main

main()

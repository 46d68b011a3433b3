"""The catalogue as the gateway prices it (the product rows themselves: :mod:`store.product_rows`)."""

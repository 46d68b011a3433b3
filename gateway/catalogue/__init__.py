"""The catalogue as the gateway stores and reads it: ontology products in the store's product rows."""

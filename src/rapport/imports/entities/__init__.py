"""The built-in import entities. Importing this package registers them; a new domain adds a module here."""

from rapport.imports.entities import contacts, customers, interactions, orders, products

__all__ = ["contacts", "customers", "interactions", "orders", "products"]

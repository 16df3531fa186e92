from rapport.commerce.models.order import Order, OrderLine
from rapport.commerce.models.product import Product

__all__ = ["Order", "OrderLine", "Product"]

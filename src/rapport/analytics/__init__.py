"""Analytical CRM: who is worth what, who is slipping away and why (Django glue around ``engine``)."""

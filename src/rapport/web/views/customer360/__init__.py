"""The customer 360 page: the page an account manager keeps open all day.

``page`` serves the page and its timeline, ``profile`` the header and profile card, ``actions`` the quick
actions, ``panels`` the orders, contact persons and consent loaded after the page.
"""

from rapport.accounts.models.team import Team
from rapport.accounts.models.user import User

__all__ = ["Team", "User"]

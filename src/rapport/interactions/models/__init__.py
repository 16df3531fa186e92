from rapport.interactions.models.interaction import Interaction
from rapport.interactions.models.note import Note
from rapport.interactions.models.task import Task

__all__ = ["Interaction", "Note", "Task"]

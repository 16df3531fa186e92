from rapport.sales.models.lead import Lead
from rapport.sales.models.opportunity import Opportunity, OpportunityStageChange
from rapport.sales.models.pipeline import Pipeline, Stage

__all__ = ["Lead", "Opportunity", "OpportunityStageChange", "Pipeline", "Stage"]

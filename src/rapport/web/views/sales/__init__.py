"""The sales area of the workspace: leads, opportunities, the pipeline board, the forecast, the home panel."""

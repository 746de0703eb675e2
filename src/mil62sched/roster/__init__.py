"""A whole site: roster and actuals files, planning many participants one at a time, and the
agenda of what is due."""

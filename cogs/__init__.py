"""Feature packages: one per feature, each with its cog, service (handlers), results and renderers."""

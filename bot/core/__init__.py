"""The core below every feature: the application kernel, the context handed to services, result types,
errors, checks, the neutral message model and rendering registry."""

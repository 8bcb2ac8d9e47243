"""Services: async use-cases that combine storage and the pure domain. Their @command methods are the
handlers that both the Discord cogs and the console call."""

"""The Discord front end: the bot client, the adapter from results to Discord payloads, the publisher and
the reusable option types."""

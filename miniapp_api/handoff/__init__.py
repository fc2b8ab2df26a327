"""Human handoff: tickets that hand a conversation from the bot to a person (12345 operators)."""

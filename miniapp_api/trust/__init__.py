"""Trust: attempt budgets shared by every worker, and one-time codes that prove a phone."""

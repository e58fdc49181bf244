"""Lead capture at the booths: exhibitors scan visitors ' badges (app/onsite/leads)."""

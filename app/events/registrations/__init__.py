"""Registrations: exhibitors apply, buyers register, organisers decide."""

"""Accounts: users, roles, login, sign-up and permissions."""

"""Reference data shipped with the application (Vietnam's administrative list)."""

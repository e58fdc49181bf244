"""Walk-ins: an organiser registers a buyer or producer at the desk, approved at once."""

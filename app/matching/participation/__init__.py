"""Participants' wishes: availability, must-meet / don't-match marks and meeting requests."""

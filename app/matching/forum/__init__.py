"""Networking forums: any approved participant meets any other (MatchingSession.kind "forum")."""

"""Networking forums: any approved participant meets any other (MatchingSession.kind "forum").

services/forms/routes: participants browse each other, request, accept, decline or block
meetings; organisers list, add, remove and restrict the requested pairs. scheduling: the
any-to-any instance from the accepted pairs, the run's quality figures and what to change.
"""

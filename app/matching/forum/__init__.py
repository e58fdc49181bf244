"""Networking forums, the requests side: participants browse each other, request, accept, decline
or block meetings; organisers list, add, remove and restrict the requested pairs."""

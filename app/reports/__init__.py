"""What the fairs achieved, told to their organisers: the summary mail (services.py) for now.

Reports read the other features' models (events, booths, matching, notifications); no feature
imports reports, so it sits on top of them without a cycle."""

"""A participant's agenda: its page, its calendar (.ics and secret feed) and the mails that carry it."""

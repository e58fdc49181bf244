"""The follow-up survey after a fair: invitations at two waves, answers that update the outcomes,
and the organiser's page of which matcher reasons led to contracts."""

"""Events: fairs and conferences, programme, halls, registrations, state machine, jobs."""

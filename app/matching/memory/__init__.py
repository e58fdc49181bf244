"""Memory across events: who met whom at earlier events of the programme, and what came of it."""

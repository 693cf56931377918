"""Pure counter rules: citizen IDs, working days, the service catalogue and the scope check.

Nothing here touches a database or a screen, so every rule can be tested on its own and reused
by the CLI, the desk and the printouts alike.
"""

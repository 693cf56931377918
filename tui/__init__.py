"""The Textual desk (sign-in, person search, permit and request flows). Not built yet:
`ziyang-counter` without a command prints how to work from the CLI meanwhile."""

"""PDF printouts (receipts, checklists, transfer slips, permit cards, daily logs) from plain
data. Not built yet; see the printouts issue."""

"""From built letters to councils' inboxes and the website: approval, status, sending,
publishing. What people decide (approvals) and what was done (sent messages) are kept in
data/<year>/ as YAML files that are committed and reviewed like the records."""

"""The work inbox ("Việc cần làm"): what waits for each user across clusters and years
(selectors), the e-mail sent for the same events, once per person and event (services), each
user's opt-out, and the secretariat's contacts page with reporter invitations (views)."""

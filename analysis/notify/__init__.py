"""Notifications (issue 15): what each account chooses to receive (prefs.py), its webhooks
(webhooks.py: Teams, Slack, signed JSON), the words of each notification (compose.py: never a
person's name; client roles see their own organisation, folded as on their pages), the outbox that
delivers them with back-off (outbox.py: e-mail through mail.py's SMTP settings, or a webhook), and
scheduled report packs (packs.py). analysis/schedule.py makes them from the recorded evaluations."""

"""Mail: where it goes (settings.py), what it says (messages.py and templates/) and how it is
sent without holding up a request (postbox.py)."""

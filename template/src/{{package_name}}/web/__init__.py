"""The HTTP face of the app: pages, the JSON API, and what every response carries."""

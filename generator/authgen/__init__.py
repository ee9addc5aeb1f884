"""authgen: render a secure FastAPI auth project from its Copier template.

The public entry point is the `authgen` command (`authgen.cli:main`).
"""

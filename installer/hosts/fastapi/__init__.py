"""The installer's FastAPI host: source edits of the module that creates the app."""

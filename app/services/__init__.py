"""Use cases shared by the API, the web pages, the chat and the CLI."""

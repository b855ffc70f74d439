"""Themes of a day: extraction from captions (`extract`), the themes map as an image (`map`)."""

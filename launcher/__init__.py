"""Starts and stops the three processes: API, action server and Rasa server."""

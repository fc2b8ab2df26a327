"""Chat through the API: the mini-app's and the web page's conversations, forwarded to Rasa."""

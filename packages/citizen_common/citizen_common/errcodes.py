"""The API's errcodes that the bot acts on (the API's whole list: ``miniapp_api.errors``).

An errcode is the HTTP status × 100 plus a number, stable across releases.
"""

# A guest conversation (no identity assertion) asked for something personal.
SIGN_IN_REQUIRED = 40104
# A patient's ID-card number failed its checksum (the booking form asks for it again).
INVALID_ID_CARD = 42201

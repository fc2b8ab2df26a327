"""What the API's and the bot's environments share, installed into both (``make`` installs it
editable; the images install it): which language a citizen speaks (``language``), Rasa's NLG wire
format (``nlg_wire``), the masking of personal numbers (``privacy``), identity assertions
(``identity``), typed settings from the environment (``settings``) and the errcodes the bot acts
on (``errcodes``). Standard library only: Rasa's environment pins old packages.
"""

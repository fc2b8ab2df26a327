-- Rasa's tracker store gets its own database beside the API's (Rasa creates its table).
CREATE DATABASE citizen_tracker OWNER citizen;

# The Rasa server and the action server (one image, two commands). Built from the project root
# after `make train` (the model is copied, not trained here; the catalogs are the ones `make`
# compiled: Rasa renders the apology from them when the API is down).
FROM python:3.10-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
COPY bot/requirements.txt bot/constraints.txt bot/
RUN pip install --no-cache-dir -r bot/requirements.txt -c bot/constraints.txt
COPY bot bot
COPY citizen_privacy.py citizen_locale.py citizen_identity.py citizen_settings.py ./
COPY locales locales
EXPOSE 5005 5055

# The Rasa server and the action server (one image, two commands). Built from the project root
# after `make train` (the model is copied, not trained here; the catalogs are the ones `make`
# compiled: Rasa renders the apology from them when the API is down).
FROM python:3.10-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app CITIZEN_LOCALES_DIR=/app/locales \
    RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
COPY bot/requirements.txt bot/constraints.txt bot/
RUN pip install --no-cache-dir -r bot/requirements.txt -c bot/constraints.txt
# What the API and the bot share, installed as a package (not found through PYTHONPATH).
COPY packages/citizen_common packages/citizen_common
RUN pip install --no-cache-dir ./packages/citizen_common
COPY bot bot
COPY locales locales
EXPOSE 5005 5055

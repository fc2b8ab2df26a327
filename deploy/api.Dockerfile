# The API and its workers (gunicorn, flask commands). Built from the project root.
FROM python:3.10-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app FLASK_APP=miniapp_api
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY miniapp_api miniapp_api
COPY citizen_privacy.py citizen_locale.py citizen_identity.py citizen_settings.py ./
COPY locales locales
RUN pybabel compile -d locales -D messages
EXPOSE 5000

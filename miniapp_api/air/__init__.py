"""Air quality: monitoring stations, hourly readings and the HJ 633 air-quality index."""

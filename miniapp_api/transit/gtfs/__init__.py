"""GTFS static feeds: read (``read``), parsed into rows (``parse``, ``trips``, ``feed``), written
into the database (``importer``); and the demo city's feed (``demo``)."""

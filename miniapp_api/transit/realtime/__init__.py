"""GTFS-Realtime: feeds fetched and ingested (``feed``), how fresh they are (``state``), where
each vehicle is (``vehicles``), and the demo city's buses simulated (``simulator``)."""

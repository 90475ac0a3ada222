"""Real servers the probe tests run against, each started as a subprocess on 127.0.0.1."""

"""`make bench`: throughput of the service against raw CTranslate2 and Argos-style batching."""

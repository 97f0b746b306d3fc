"""Speaking other services' APIs: DeepL's (/v2) and LibreTranslate's, so their
clients work here by changing only the server URL and the key.

Plain functions, no Flask: what each API's parameters mean in this service's
terms (language codes, formats, glossaries, document states) and how this
service's results look in each API's shapes. The blueprints in
service/deepl.py and service/libre.py only read requests and call these.
"""

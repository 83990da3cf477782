"""The SQLite file: schema, writes, reads, the round lock.

In: articles with their tags. Out: rows shaped as the public JSON.

``migrations`` (the schema as named migrations, the ``stories`` view), ``store`` (opening
safely, every write), ``queries`` (every read behind the commands), ``lock`` (one round at a
time).
"""

"""The command line: the click group (``cli.main``) and one module per command family
(db, demo, serve, users, tokens, audit, data, sla, export, areas).

Commands call ``governance/`` and ``geodata/``; none imports ``app.py``. ``python app.py
<command>`` runs the group (app.py's ``__main__`` block), and ``serve`` starts gunicorn on
``app:server`` by name.
"""

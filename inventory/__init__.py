"""Dynamic Ansible inventory from the Opsplan asset database.

Only ``sqlalchemy`` and this package are imported by the script (``opsplan_inventory.py``) and the
builder, so the two can be copied into an AWX project as they are. ``inventory.snapshot`` (the
per-run snapshot with credentials) is for the worker and uses the app's crypto.
"""

"""The asset database: assets, groups and credentials (validation, encryption, CRUD, import/export)."""

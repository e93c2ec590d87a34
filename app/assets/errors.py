"""Errors of the asset database; each maps to an HTTP status through app.errors.OpsplanError."""
from __future__ import annotations

from app.errors import OpsplanError


class AssetError(OpsplanError):
    """Base of every asset-database error."""

    status, code = 400, "asset_error"


class AssetValidationError(AssetError):
    """Input that does not satisfy the schema; the message names the entry and the field."""

    status, code = 400, "validation_error"


class ImportFileError(AssetValidationError):
    """An import file that cannot be read or parsed, or one of whose entries is invalid."""

    code = "import_error"


class AssetNotFound(AssetError):
    status, code = 404, "not_found"


class AssetConflict(AssetError):
    """A name already taken, or a delete that would leave dangling references."""

    status, code = 409, "conflict"


class CredentialKeyError(AssetError):
    """The secret key is missing, malformed or not the one the credentials were encrypted for.

    Its message never contains a secret; status 409 because the request is valid but the
    deployment's key setup is not (the fix is operational, not in the request).
    """

    status, code = 409, "credential_key_error"

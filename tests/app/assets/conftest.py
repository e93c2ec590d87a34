from tests.app.assets.helpers import loaded, published, secret_key  # noqa: F401

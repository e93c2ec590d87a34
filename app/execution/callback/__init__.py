"""Ansible callback plugins of Opsplan's runs: this directory is put on ANSIBLE_CALLBACK_PLUGINS (see
app.execution.runner); Ansible loads the plugin files from it by path, so they import nothing from ``app``."""

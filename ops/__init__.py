"""Operator tasks that act on a running stack outside a release (restore a backup, ...)."""

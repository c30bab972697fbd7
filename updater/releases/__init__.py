"""Releases: the publishers' readers, versions, the store, diff, verification, history."""

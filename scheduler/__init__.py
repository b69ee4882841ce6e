"""The daemon: scheduled crawls, digest building and delivery, site health."""

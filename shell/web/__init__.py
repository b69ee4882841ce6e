"""The read-only web view of the archive (`pantau serve`): search, stories, Atom feeds, JSON API."""

"""The graduate portal (毕业生): one's own certificates and online verification codes."""

"""Live coverage where readers are: feeds, embeds, oEmbed, HTTP caching (docs/distribution.md)."""

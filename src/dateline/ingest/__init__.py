"""Following other sources: fetch feeds, articles and other sites' live blogs into an inbox."""

"""Users, roles, login sessions, API tokens and CSRF protection."""

"""Authentication, sessions and tokens, permissions, store scoping."""
